from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy as _


class PrivacyOpsAdminSite(admin.AdminSite):
    site_header = _("PrivacyOps — Personal information desk")
    site_title = _("PrivacyOps")
    index_title = _("Desk")

    def index(self, request, extra_context=None):
        """The start page after login is the desk's dashboard (the app list stays below)."""
        from requests_app.views import dashboard_context

        return super().index(request, {**dashboard_context(request), **(extra_context or {})})

    def get_urls(self):
        from privacyops import views

        return [
            path("audit/", self.admin_view(lambda request: views.audit_trail(request, self)), name="audit_trail"),
            path(
                "audit/export.csv",
                self.admin_view(lambda request: views.audit_export(request, self)),
                name="audit_export",
            ),
            *super().get_urls(),
        ]
