from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsAppConfig(AppConfig):
    name = "requests_app"
    verbose_name = _("Requests (disclosure etc.)")

    def ready(self):
        """Plug the cases into the audit trail and the start page (the project imports no app)."""
        from django.contrib import admin

        from privacyops.audit import registry
        from requests_app import selectors
        from requests_app.pipeline import Op
        from requests_app.views import dashboard_context

        registry.register_operations(Op)
        from requests_app import exports

        exports.register()
        registry.register_scope(
            registry.Scope(
                organization_ids=selectors.organization_ids_for,
                organizations=selectors.organizations_by_ids,
                case_lookup=selectors.case_scope_lookup,
                case_references=selectors.case_references,
                colleagues=selectors.colleagues,
            )
        )
        Source = registry.Source
        registry.register_sources(
            Source("request", "requests_app.Request", "organization_id", "id", "status"),
            Source("item", "requests_app.RequestItem", "request__organization_id", "request_id", "kind"),
            Source("document", "requests_app.IdentityDocument", "request__organization_id", "request_id", "kind"),
            Source(
                "document_file",
                "requests_app.DocumentFile",
                "document__request__organization_id",
                "document__request_id",
                "content_type",
            ),
            Source("payment", "requests_app.Payment", "request__organization_id", "request_id", "method"),
            Source("pause", "requests_app.Pause", "request__organization_id", "request_id", "kind"),
            Source("verification", "requests_app.Verification", "request__organization_id", "request_id", "outcome"),
            Source("decision", "requests_app.Decision", "request__organization_id", "request_id", "outcome"),
            Source("approval", "requests_app.Approval", "request__organization_id", "request_id", "outcome"),
            Source("letter", "requests_app.Letter", "request__organization_id", "request_id", "kind"),
            Source(
                "letter_enclosure",
                "requests_app.LetterEnclosure",
                "letter__request__organization_id",
                "letter__request_id",
                "content_type",
            ),
            Source(
                "delivery_link",
                "requests_app.DeliveryLink",
                "response__request__organization_id",
                "response__request_id",
            ),
            Source("portal_access", "requests_app.PortalAccess", "request__organization_id", "request_id"),
            Source("legal_hold", "requests_app.LegalHold", "organization_id", "request_id"),
            Source("complaint", "requests_app.Complaint", "organization_id", "request_id", "status"),
            Source("response", "requests_app.Response", "request__organization_id", "request_id", "method"),
            Source("task", "requests_app.FulfilmentTask", "request__organization_id", "request_id", "status"),
            Source("subject", "requests_app.DataSubject", "organization_id", None),
            Source("agent", "requests_app.Agent", "organization_id", None, "agent_type"),
            Source("organization", "requests_app.Organization", "id", None),
            Source("closed_day", "requests_app.OrganizationClosedDay", "organization_id", None),
            Source("policy", "requests_app.DeskPolicy", "organization_id", None),
            Source("proof_rule", "requests_app.AgentProofRule", "policy__organization_id", None, "agent_type"),
            Source("system", "requests_app.TargetSystem", "organization_id", None),
            Source("letter_template", "requests_app.LetterTemplate", "organization_id", None, "kind"),
            Source("portal_settings", "requests_app.PortalSettings", "organization_id", None),
        )
        if dashboard_context not in admin.site.index_context_providers:
            admin.site.index_context_providers.append(dashboard_context)
