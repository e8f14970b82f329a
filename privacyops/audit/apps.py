from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """Audit history, access log and audit trail (``privacyops.audit``)."""

    name = "privacyops.audit"
    label = "audit"
    verbose_name = _("Audit")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from simple_history.signals import pre_create_historical_record

        from privacyops.audit import history, registry
        from privacyops.audit.models import AuditOp

        pre_create_historical_record.connect(history.stamp_operation, dispatch_uid="audit_stamp_operation")
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_login_failed

        from privacyops.audit import access

        user_login_failed.connect(access.log_failed_login, dispatch_uid="audit_failed_login")
        user_locked_out.connect(access.log_lockout, dispatch_uid="audit_lockout")
        registry.register_operations(AuditOp)
        registry.register_sources(
            registry.Source("user", "privacyops.User", None, None),
            registry.Source(registry.ACCESS, "audit.AccessLog", "organization_id", "request_id", "kind"),
            last=True,
        )
        from privacyops.audit import exports

        exports.register()
