"""Consents, purposes and records in the admin, in Japanese, scoped to the user's organizations.

Purposes of use and opt-out provisions are the desk's set-up (managers; a reason for every
change, like the desk policies). Consents, records of provision and receipt, and stops are
written through ``consents.services`` by the pages of ``consents.views`` (record, withdraw,
import); the admin's own change forms only show them. Lists filter by organization, category,
recipient, foreign provision, withdrawal and retention ending within N days, search by person,
and export what they show as formula-safe CSV.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from consents import views
from consents.models import Consent, ConsentScope, OptOutProvision, ProvisionRecord, ProvisionStop, PurposeOfUse
from privacyops.audit.access import log_access
from privacyops.audit.models import AccessKind
from privacyops.audit.views import record_history
from requests_app.admin import OrganizationFilter, SetupAdminMixin
from requests_app.selectors import organization_ids_for

PERSON_SEARCH = (
    "data_subject__family_name",
    "data_subject__given_name",
    "data_subject__family_name_kana",
    "data_subject__given_name_kana",
    "=data_subject__member_id",
    "=data_subject__email",
)


# ------------------------------------------------------------------------------------------
# Filters
# ------------------------------------------------------------------------------------------
class RecipientFilter(admin.SimpleListFilter):
    """The recipients (counterparties) on record in the user's organizations, most used first."""

    title = _("recipient")
    parameter_name = "recipient"
    field = "recipient"
    limit = 30

    def lookups(self, request, model_admin):
        rows = (
            model_admin.get_queryset(request)
            .exclude(**{self.field: ""})
            .values(self.field)
            .annotate(n=Count("pk"))
            .order_by("-n", self.field)[: self.limit]
        )
        return [(row[self.field], row[self.field]) for row in rows]

    def queryset(self, request, queryset):
        return queryset.filter(**{self.field: self.value()}) if self.value() else queryset


class CounterpartyFilter(RecipientFilter):
    title = _("counterparty")
    parameter_name = "counterparty"
    field = "counterparty"


class WithdrawnFilter(admin.SimpleListFilter):
    title = _("withdrawn")
    parameter_name = "withdrawn"

    def lookups(self, request, model_admin):
        return [("no", _("In force")), ("yes", pgettext_lazy("consent", "Withdrawn"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(withdrawn_on__isnull=True)
        if self.value() == "yes":
            return queryset.filter(withdrawn_on__isnull=False)
        return queryset


class ForeignFilter(admin.SimpleListFilter):
    """Provision to a third party in a foreign country (Art. 28)."""

    title = _("foreign country")
    parameter_name = "foreign"
    condition = Q(scope=ConsentScope.FOREIGN)

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(self.condition)
        if self.value() == "no":
            return queryset.exclude(self.condition)
        return queryset


class ForeignRecordFilter(ForeignFilter):
    condition = Q(consent__scope=ConsentScope.FOREIGN)


class RetentionEndingFilter(admin.SimpleListFilter):
    """Records whose retention ends within N days from today (Asia/Tokyo): 30, 90, 365 in the
    sidebar, any N from 1 to 3650 in the address (``?retention_within=45``)."""

    title = _("retention ending within")
    parameter_name = "retention_within"
    offered = (30, 90, 365)

    def _days(self) -> int | None:
        value = self.value()
        if value is None:
            return None
        if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= 3650:
            return 0
        return int(value)

    def lookups(self, request, model_admin):
        days = self._days()
        offered = sorted({*self.offered, *([days] if days else [])})
        return [(str(n), gettext("%(days)d days") % {"days": n}) for n in offered]

    def queryset(self, request, queryset):
        days = self._days()
        if days is None:
            return queryset
        if days == 0:
            messages.error(request, gettext("Give the number of days as a whole number from 1 to 3650."))
            return queryset.none()
        today = timezone.localdate()
        return queryset.filter(retention_end__gte=today, retention_end__lte=today + dt.timedelta(days=days))


# ------------------------------------------------------------------------------------------
# Set-up: purposes of use and opt-out provisions (managers, with a reason)
# ------------------------------------------------------------------------------------------
@admin.register(PurposeOfUse)
class PurposeOfUseAdmin(SetupAdminMixin, admin.ModelAdmin):
    """The purposes of use a privacy policy publishes (Art. 21), per data category, from the
    policy's effective date; a purpose notice answers from those in force."""

    list_display = ("organization", "category", "text", "effective_from", "effective_until")
    list_filter = (OrganizationFilter, "category", ("effective_until", admin.EmptyFieldListFilter))
    list_select_related = ("organization",)
    search_fields = ("text",)
    fields = ["organization", "category", "text", "order", "effective_from", "effective_until"]
    show_full_result_count = False


@admin.register(OptOutProvision)
class OptOutProvisionAdmin(SetupAdminMixin, admin.ModelAdmin):
    """Provision to third parties by opt-out (Art. 27-2), as notified to the PPC."""

    list_display = ("organization", "recipient", "notified_on", "active")
    list_filter = (OrganizationFilter, "active")
    list_select_related = ("organization",)
    fields = ["organization", "recipient", "items", "method", "how_to_stop", "notified_on", "active"]
    show_full_result_count = False


# ------------------------------------------------------------------------------------------
# Consents, stops and records: written through the services
# ------------------------------------------------------------------------------------------
class ServiceWrittenAdmin(admin.ModelAdmin):
    """Scoped to the user's organizations; read-only change pages; adding goes to the service
    page; never deleted by hand; lists logged as accesses to personal data and exportable."""

    show_full_result_count = False
    list_per_page = 50
    add_page = None  # a view of consents.views
    export_header: tuple = ()
    export_row = None
    export_related: tuple = ()

    def get_queryset(self, request):
        return super().get_queryset(request).filter(organization_id__in=organization_ids_for(request.user))

    def has_change_permission(self, request, obj=None):
        return False  # the record as kept; changes have their own operations

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        opts = self.model._meta
        wrap = self.admin_site.admin_view
        urls = []
        if self.export_row is not None:
            urls.append(
                path(
                    "export.csv",
                    wrap(lambda request: views.export(request, self)),
                    name=f"{opts.app_label}_{opts.model_name}_export",
                )
            )
        return [*urls, *self.extra_urls(wrap), *super().get_urls()]

    def extra_urls(self, wrap) -> list:
        return []

    def add_view(self, request, form_url="", extra_context=None):
        return type(self).add_page(request, self)

    def history_view(self, request, object_id, extra_context=None):
        return record_history(request, self, object_id)

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "person"]

    def get_fields(self, request, obj=None):
        """The person by name where the record links them (not their internal key)."""
        fields = [name for name in super().get_fields(request, obj) if name != "person"]
        return ["person" if name == "data_subject" else name for name in fields]

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            log_access(request, AccessKind.RECORDS)
        links = {}
        if self.export_row is not None:
            links["export_url"] = f"export.csv?{request.GET.urlencode()}"
        return super().changelist_view(request, {**links, **(extra_context or {})})

    @admin.display(description=_("organization"), ordering="organization__code")
    def organization_code(self, obj):
        return obj.organization.code

    @admin.display(description=_("data subject"), ordering="data_subject__family_name_kana")
    def person(self, obj):
        person = obj.data_subject
        return f"{person.full_name} ({person.member_id})" if person.member_id else person.full_name


@admin.register(Consent)
class ConsentAdmin(ServiceWrittenAdmin):
    list_display = (
        "organization_code",
        "person",
        "scope",
        "recipient",
        "given_on",
        "withdrawn_on",
        "withdrawn_by_case",
    )
    list_filter = (OrganizationFilter, "scope", WithdrawnFilter, ForeignFilter, RecipientFilter)
    list_select_related = ("organization", "data_subject", "withdrawn_by_case")
    search_fields = (*PERSON_SEARCH, "recipient")
    add_page = views.consent_add
    export_header = views.CONSENT_HEADER
    export_row = views.consent_row
    export_related = ("organization", "purpose", "withdrawn_by_case")
    change_form_template = "admin/consents/consent/change_form.html"

    def extra_urls(self, wrap):
        return [
            path(
                "<path:object_id>/withdraw/",
                wrap(lambda request, object_id: views.consent_withdraw(request, self, object_id)),
                name="consents_consent_withdraw",
            )
        ]

    def can_withdraw(self, request) -> bool:
        return request.user.has_perm("consents.change_consent")

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        context["can_withdraw"] = obj is not None and obj.in_force and self.can_withdraw(request)
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)


@admin.register(ProvisionStop)
class ProvisionStopAdmin(ServiceWrittenAdmin):
    """Provision stopped for a person: a granted suspension of provision (from its case, or
    recorded here), or a stop of an opt-out provision."""

    list_display = ("organization_code", "person", "recipient", "since", "opt_out", "case")
    list_filter = (OrganizationFilter, RecipientFilter)
    list_select_related = ("organization", "data_subject", "case", "opt_out")
    search_fields = (*PERSON_SEARCH, "recipient")
    add_page = views.stop_add


@admin.register(ProvisionRecord)
class ProvisionRecordAdmin(ServiceWrittenAdmin):
    list_display = (
        "organization_code",
        "direction",
        "person",
        "counterparty",
        "provided_on",
        "basis",
        "recorded_how",
        "retention_end",
    )
    list_filter = (
        OrganizationFilter,
        "direction",
        CounterpartyFilter,
        ForeignRecordFilter,
        RetentionEndingFilter,
        "basis",
        "recorded_how",
    )
    list_select_related = ("organization", "data_subject")
    search_fields = (*PERSON_SEARCH, "counterparty")
    add_page = views.record_add
    export_header = views.RECORD_HEADER
    export_row = views.record_row
    export_related = ("organization", "opt_out", "consent")

    def changelist_view(self, request, extra_context=None):
        links = {"import_url": "import/"} if self.has_add_permission(request) else {}
        return super().changelist_view(request, {**links, **(extra_context or {})})

    def extra_urls(self, wrap):
        return [
            path(
                "import/",
                wrap(lambda request: views.records_import(request, self)),
                name="consents_provisionrecord_import",
            )
        ]
