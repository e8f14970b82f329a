from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class PrivacyOpsAdminSite(admin.AdminSite):
    site_header = _("PrivacyOps — Personal information desk")
    site_title = _("PrivacyOps")
    index_title = _("Desk")
