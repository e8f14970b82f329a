from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentsConfig(AppConfig):
    name = "consents"
    verbose_name = _("Consents and provision records")

    def ready(self):
        """Plug the consents records into the audit trail (the project imports no app)."""
        from consents import hooks
        from consents.services import ConsentOp
        from privacyops.audit import registry
        from requests_app import extensions

        extensions.register(
            purposes=hooks.purposes,
            provision_records=hooks.provision_records,
            decision_effective=hooks.decision_effective,
            demo_seed=hooks.demo_seed,
            case_panels=hooks.case_panels,
            case_history_sources=hooks.case_history_sources,
        )
        registry.register_operations(ConsentOp)
        from consents import exports

        exports.register()
        Source = registry.Source
        registry.register_sources(
            Source("purpose", "consents.PurposeOfUse", "organization_id", None, "category"),
            Source("consent", "consents.Consent", "organization_id", "withdrawn_by_case_id", "scope"),
            Source("opt_out", "consents.OptOutProvision", "organization_id", None),
            Source("provision_stop", "consents.ProvisionStop", "organization_id", "case_id"),
            Source("provision_record", "consents.ProvisionRecord", "organization_id", None, "direction"),
        )
