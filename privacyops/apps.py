from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class PrivacyOpsConfig(AppConfig):
    """The project package as an app: staff users, admin site, health check, Celery app."""

    name = "privacyops"
    verbose_name = _("Staff and system")


class PrivacyOpsAdminConfig(AdminConfig):
    default_site = "privacyops.admin_site.PrivacyOpsAdminSite"
