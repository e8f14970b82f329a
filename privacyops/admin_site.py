from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy as _


class PrivacyOpsAdminSite(admin.AdminSite):
    site_header = _("PrivacyOps — Personal information desk")
    site_title = _("PrivacyOps")
    index_title = _("Desk")

    # Functions (request) -> dict adding to the start page; apps register theirs in ready().
    index_context_providers: list = []

    def index(self, request, extra_context=None):
        """The start page after login: the dashboards the apps provide (the app list stays below)."""
        context = {}
        for provider in self.index_context_providers:
            context.update(provider(request))
        return super().index(request, {**context, **(extra_context or {})})

    def get_urls(self):
        from privacyops.audit import views
        from privacyops.exports import views as exports
        from privacyops.two_factor import views as two_factor

        return [
            path("two-factor/", self.admin_view(lambda r: two_factor.manage(r, self)), name="two_factor"),
            path("two-factor/verify/", self.admin_view(lambda r: two_factor.verify(r, self)), name="two_factor_verify"),
            path("two-factor/qr.svg", self.admin_view(lambda r: two_factor.qr_code(r, self)), name="two_factor_qr"),
            path("audit/", self.admin_view(lambda request: views.audit_trail(request, self)), name="audit_trail"),
            path("exports/", self.admin_view(lambda request: exports.export_list(request, self)), name="exports"),
            path(
                "exports/<int:export_id>/download/",
                self.admin_view(lambda request, export_id: exports.export_download(request, self, export_id)),
                name="export_download",
            ),
            path(
                "exports/<int:export_id>/discard/",
                self.admin_view(lambda request, export_id: exports.export_discard(request, self, export_id)),
                name="export_discard",
            ),
            path(
                "audit/export.csv",
                self.admin_view(lambda request: views.audit_export(request, self)),
                name="audit_export",
            ),
            *super().get_urls(),
        ]
