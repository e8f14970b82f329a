from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class PrivacyOpsConfig(AppConfig):
    """The project package as an app: staff users, admin site, health check, Celery app."""

    name = "privacyops"
    verbose_name = _("Staff and system")

    def ready(self):
        # Django records each login by saving ``last_login``; that bookkeeping must not add an
        # empty row to the audit history (last_login is not tracked). Same update, no history row.
        from django.contrib.auth import user_logged_in
        from django.contrib.auth.models import update_last_login

        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(_update_last_login_without_history, dispatch_uid="update_last_login")

        from privacyops import checks, two_factor  # noqa: F401 - checks register themselves

        user_logged_in.connect(two_factor.remember_enrolment, dispatch_uid="two_factor_enrolment")
        _hide_otp_device_admin()


def _hide_otp_device_admin():
    """django-otp registers admin pages listing every user's devices (with their secret keys) on
    the default site: authenticators are managed by their owner (Two-factor login) and reset by
    the administrator (users' action), never read by anyone."""
    from django.contrib import admin
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for model in (TOTPDevice, StaticDevice):
        if admin.site.is_registered(model):
            admin.site.unregister(model)


def _update_last_login_without_history(sender, user, **kwargs):
    from django.utils import timezone

    user.last_login = timezone.now()
    user.skip_history_when_saving = True
    try:
        user.save(update_fields=["last_login"])
    finally:
        del user.skip_history_when_saving


class PrivacyOpsAdminConfig(AdminConfig):
    default_site = "privacyops.admin_site.PrivacyOpsAdminSite"
