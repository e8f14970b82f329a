"""Consents, purposes and records in the admin: scoped to the user's organizations.

The records are written through ``consents.services`` only (with history and the checks of the
law), so these pages read them; entry forms and the CSV import come with the next step of the
consents work (SPEC §11).
"""

from django.contrib import admin

from consents.models import Consent, OptOutProvision, ProvisionRecord, ProvisionStop, PurposeOfUse
from requests_app.selectors import organization_ids_for


class ScopedReadOnlyAdmin(admin.ModelAdmin):
    """Only the user's organizations; nothing added, changed or deleted here."""

    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(organization_id__in=organization_ids_for(request.user))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PurposeOfUse)
class PurposeOfUseAdmin(ScopedReadOnlyAdmin):
    list_display = ("organization", "category", "text", "effective_from", "effective_until")
    list_filter = ("category",)
    list_select_related = ("organization",)


@admin.register(Consent)
class ConsentAdmin(ScopedReadOnlyAdmin):
    list_display = ("organization", "data_subject", "scope", "recipient", "given_on", "withdrawn_on")
    list_filter = ("scope", ("withdrawn_on", admin.EmptyFieldListFilter))
    list_select_related = ("organization", "data_subject")
    search_fields = ("=data_subject__family_name", "recipient")


@admin.register(OptOutProvision)
class OptOutProvisionAdmin(ScopedReadOnlyAdmin):
    list_display = ("organization", "recipient", "notified_on", "active")
    list_select_related = ("organization",)


@admin.register(ProvisionStop)
class ProvisionStopAdmin(ScopedReadOnlyAdmin):
    list_display = ("organization", "data_subject", "recipient", "since", "case")
    list_select_related = ("organization", "data_subject", "case")


@admin.register(ProvisionRecord)
class ProvisionRecordAdmin(ScopedReadOnlyAdmin):
    list_display = ("organization", "direction", "data_subject", "counterparty", "provided_on", "retention_end")
    list_filter = ("direction", "basis", "recorded_how")
    list_select_related = ("organization", "data_subject")
    search_fields = ("=data_subject__family_name", "counterparty")
