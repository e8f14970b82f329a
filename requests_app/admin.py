"""The desk in the admin: the request list, the case pages (views.py) and the desk set-up.

Every queryset is scoped to the user's organizations (selectors); cases are changed only
through services, never by the admin's own save. Nothing here queries per row.
"""

from __future__ import annotations

import copy
import re
import unicodedata

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import PAGE_VAR, ChangeList
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import F, Q
from django.db.models.expressions import OrderBy
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from privacyops.audit.access import log_access
from privacyops.audit.models import AccessKind, AuditOp
from privacyops.audit.views import record_history
from requests_app import complaint_views, derived, letters, report_views, selectors, services, views
from requests_app.deadlines import BusinessCalendar
from requests_app.filters import OPEN, RequestFilter
from requests_app.forms import AgentProofRuleForm, DeskPolicyForm, NormalizedNewlinesMixin
from requests_app.models import (
    OPEN_STATUSES,
    AgentProofRule,
    Channel,
    Complaint,
    DeskPolicy,
    ItemKind,
    LegalHold,
    LetterTemplate,
    Organization,
    OrganizationClosedDay,
    PortalSettings,
    ReminderLog,
    Request,
    Status,
    TargetSystem,
)
from requests_app.validators import reject_individual_number


# ------------------------------------------------------------------------------------------
# List filters: the sidebar of ``RequestFilter``'s parameters (titles, choices and meaning live there)
# ------------------------------------------------------------------------------------------
class RequestListFilter(admin.SimpleListFilter):
    """One ``RequestFilter`` parameter in the sidebar: its title, choices and queryset come from there.

    On the request list the instance ``RequestAdmin.changelist_view`` bound and checked is reused;
    elsewhere (the set-up lists' organization filter) each value is checked as it is used, and a
    refused value shows nothing.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.title = RequestFilter.base_filters[cls.parameter_name].label

    def lookups(self, request, model_admin):
        return RequestFilter.for_request(request).choices(self.parameter_name)

    def queryset(self, request, queryset):
        return RequestFilter.for_request(request).filter_by(self.parameter_name, self.value(), queryset)


class StatusFilter(RequestListFilter):
    """Open cases unless the user asks for others: closed ones stay out of the way."""

    parameter_name = "status"

    def choices(self, changelist):
        value = self.value() or OPEN  # no "All" entry of the admin's own: "open" is the default
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class DueFilter(RequestListFilter):
    parameter_name = "due"


class ItemKindFilter(RequestListFilter):
    parameter_name = "kind"


class OrganizationFilter(RequestListFilter):
    """Scoped: never lists organizations the user cannot see (also used by the set-up lists)."""

    parameter_name = "organization"


class AssigneeFilter(RequestListFilter):
    parameter_name = "assignee"


class ChannelFilter(RequestListFilter):
    parameter_name = "channel"


class RequesterFilter(RequestListFilter):
    parameter_name = "requester"


# Set on the request of a refused list: ``RequestAdmin.get_queryset`` then returns no case.
REFUSED_LIST = "_privacyops_refused_list"


class PageNotFound(Exception):
    """The list has no such page (the admin itself would redirect with ``?e=1``)."""

    def __init__(self, page: int):
        super().__init__(page)
        self.page = page


class RequestChangeList(ChangeList):
    """The admin's change list, saying so when the page asked for does not exist; cases without a
    date sort last both ways; what every row needs (each organization's business calendar, the
    labels of item kinds) is made once per page, not once per row (issue 16)."""

    def get_results(self, request):
        try:
            super().get_results(request)
        except IncorrectLookupParameters:  # raised for an invalid page only
            raise PageNotFound(self.page_num) from None
        if self.page_num > 1 and not self.multi_page and not (self.show_all and self.can_show_all):
            raise PageNotFound(self.page_num)  # one page only: the admin would show it for any number
        calendars = {}
        kind_labels = dict(ItemKind.choices)
        for case in self.result_list:
            if case.organization_id not in calendars:
                calendars[case.organization_id] = BusinessCalendar.for_organization(case.organization)
            case.list_calendar = calendars[case.organization_id]
            case.list_kinds = ", ".join(str(kind_labels.get(item.kind, item.kind)) for item in case.items.all())

    def get_ordering(self, request, queryset):
        """The admin reverses ``due_on ASC NULLS LAST`` into ``DESC NULLS FIRST``: the cases
        whose clock has not started would fill the first pages of a descending sort. Dates first
        both ways (``request_due_desc_idx`` serves the descending order on PostgreSQL)."""
        return [_nulls_last(field) for field in super().get_ordering(request, queryset)]


def _nulls_last(field):
    if isinstance(field, OrderBy) and field.nulls_first:
        field = field.copy()
        field.nulls_first, field.nulls_last = None, True
    return field


# ------------------------------------------------------------------------------------------
# Requests
# ------------------------------------------------------------------------------------------
@admin.register(Request)
class RequestAdmin(admin.ModelAdmin):
    list_display = (
        "reference",
        "organization_code",
        "subject_name",
        "requester",
        "kinds",
        "status_badge",
        "assignee_name",
        "due",
        "days_left",
        "art39",
    )
    list_display_links = ("reference",)
    list_filter = (
        StatusFilter,
        DueFilter,
        ItemKindFilter,
        OrganizationFilter,
        AssigneeFilter,
        ChannelFilter,
        RequesterFilter,
    )
    # Searched by ``get_search_results`` (the admin only needs a field here to show the box).
    search_fields = ("search_key",)
    search_help_text = _(
        "Reference (or its last digits); or any part of a name, kana, address, e-mail or phone number of "
        "the data subject or the agent, however written (full/half width, hiragana/katakana, 髙/高 …)."
    )
    ordering = (F("due_on").asc(nulls_last=True), "-reached_on", "-id")
    show_full_result_count = False
    list_per_page = 50

    def get_queryset(self, request):
        queryset = selectors.request_list(actor=request.user)
        if getattr(request, REFUSED_LIST, False):
            return queryset.none()  # a refused filter shows no case at all
        return queryset

    def get_changelist(self, request, **kwargs):
        return RequestChangeList

    def sortable_columns(self, request) -> set[int]:
        """Numbers of the columns the list can be sorted by: what ``o`` (e.g. ``-7.1``) refers to."""
        columns = list(self.get_list_display(request))
        if self.get_actions(request):
            columns.insert(0, "action_checkbox")  # as the admin's change list numbers them
        sortable = set()
        for index, name in enumerate(columns):
            try:
                Request._meta.get_field(name)
            except (FieldDoesNotExist, TypeError):
                attr = name if callable(name) else getattr(self, name, None) or getattr(Request, name, None)
                if getattr(attr, "admin_order_field", None) is None:
                    continue
            sortable.add(index)
        return sortable

    def changelist_view(self, request, extra_context=None):
        """The list, filtered by ``RequestFilter``: a refused parameter is a 400 page with no case on it
        and a message naming the parameter. Only a list shown (200) is logged as a view."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        extra_context = {"title": gettext("Requests"), **(extra_context or {})}
        filterset = RequestFilter.bind(request, sortable_columns=self.sortable_columns(request))
        if not filterset.is_valid():
            return self._refused_list(request, filterset.error_messages(), filterset.valid_data(), extra_context)
        try:
            response = super().changelist_view(request, extra_context)
        except PageNotFound as missing:
            kept = request.GET.copy()
            kept.pop(PAGE_VAR, None)
            message = gettext("Page %(page)s of the list does not exist.") % {"page": missing.page}
            return self._refused_list(request, [message], kept, extra_context)
        if response.status_code == 200:
            log_access(request, AccessKind.CASE_LIST)  # the list shows names: a view of personal data
        return response

    def _refused_list(self, request, messages, kept, extra_context):
        """The change list page with ``messages``, no case, and the sidebar kept for what was valid."""
        shown = copy.copy(request)  # the same user and session, the query string without what was refused
        kept.pop(PAGE_VAR, None)  # an empty list has one page
        shown.GET = kept
        setattr(shown, REFUSED_LIST, True)
        response = super().changelist_view(shown, {**extra_context, "list_refused": messages})
        response.status_code = 400
        return response

    def get_search_results(self, request, queryset, search_term):
        """A reference (``2026-000123``) or its last digits; else every word typed must be in the
        case's search key (``derived.search_words``: width, script and variant kanji folded)."""
        term = unicodedata.normalize("NFKC", search_term).strip()
        if re.fullmatch(r"\d{1,6}", term):
            return queryset.filter(reference__endswith=f"-{int(term):06d}"), False
        if re.fullmatch(r"(?:19|20)\d\d-\d{6}", term):
            return queryset.filter(reference=term), False
        words = derived.search_words(search_term)
        for word in words:
            queryset = queryset.filter(search_key__contains=word)
        return queryset, False

    def has_delete_permission(self, request, obj=None):
        return False  # cases are never deleted; retention purges personal fields instead

    # -- bulk work on the selected cases --
    actions = ["assign_selected", "print_letters"]

    @admin.action(description=_("Assign the selected cases"), permissions=["change"])
    def assign_selected(self, request, queryset):
        return views.bulk_assign(request, self, queryset)

    @admin.action(description=_("Print their letters as one PDF"), permissions=["view"])
    def print_letters(self, request, queryset):
        return views.bulk_print(request, self, queryset)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "ledger/", wrap(lambda request: report_views.ledger(request, self)), name="requests_app_request_ledger"
            ),
            path(
                "statistics/",
                wrap(lambda request: report_views.statistics(request, self)),
                name="requests_app_request_statistics",
            ),
            path(
                "<path:object_id>/action/<slug:slug>/",
                wrap(lambda request, object_id, slug: views.case_action(request, self, object_id, slug)),
                name="requests_app_request_action",
            ),
            path(
                "<path:object_id>/letter/<int:letter_id>/print/",
                wrap(lambda request, object_id, letter_id: views.letter_print(request, self, object_id, letter_id)),
                name="requests_app_request_letter_print",
            ),
            path(
                "<path:object_id>/letter/<int:letter_id>/pdf/",
                wrap(lambda request, object_id, letter_id: views.letter_pdf(request, self, object_id, letter_id)),
                name="requests_app_request_letter_pdf",
            ),
            path(
                "<path:object_id>/letter/<int:letter_id>/enclosure/<int:enclosure_id>/",
                wrap(
                    lambda request, object_id, letter_id, enclosure_id: views.letter_enclosure(
                        request, self, object_id, letter_id, enclosure_id
                    )
                ),
                name="requests_app_request_letter_enclosure",
            ),
            path(
                "<path:object_id>/document/<int:document_id>/file/",
                wrap(
                    lambda request, object_id, document_id: views.document_file(request, self, object_id, document_id)
                ),
                name="requests_app_request_document_file",
            ),
            path(
                "related/",
                wrap(lambda request: views.intake_related(request, self)),
                name="requests_app_request_related",
            ),
            path(
                "<path:object_id>/case-history/",
                wrap(lambda request, object_id: views.case_history(request, self, object_id)),
                name="requests_app_request_case_history",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        return views.intake(request, self)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return views.case_detail(request, self, object_id)

    def history_view(self, request, object_id, extra_context=None):
        return views.case_history(request, self, object_id)

    # -- columns (no query per row: everything is joined or prefetched by the selector) --
    @admin.display(description=_("organization"), ordering="organization__code")
    def organization_code(self, obj):
        return obj.organization.code

    @admin.display(description=_("data subject"))
    def subject_name(self, obj):
        return obj.data_subject.full_name

    @admin.display(description=_("requester"))
    def requester(self, obj):
        return obj.agent.get_agent_type_display() if obj.agent_id else gettext("Self")

    @admin.display(description=_("kinds"))
    def kinds(self, obj):
        if hasattr(obj, "list_kinds"):  # made once per page by RequestChangeList
            return obj.list_kinds
        return ", ".join(item.get_kind_display() for item in obj.items.all())

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        return format_html('<span class="po-status po-status-{}">{}</span>', obj.status, obj.get_status_display())

    @admin.display(description=_("assignee"), ordering="assignee__last_name")
    def assignee_name(self, obj):
        return (obj.assignee.get_full_name() or obj.assignee.get_username()) if obj.assignee_id else "—"

    @admin.display(description=_("due"), ordering=F("due_on").asc(nulls_last=True))
    def due(self, obj):
        return obj.due_on or "—"

    @admin.display(description=_("business days left"))
    def days_left(self, obj):
        if obj.due_on is None or obj.status not in OPEN_STATUSES or obj.status == Status.RESPONDED:
            return "—"
        calendar = getattr(obj, "list_calendar", None) or BusinessCalendar.for_organization(obj.organization)
        left = derived.days_left(calendar, timezone.localdate(), obj.due_on)
        if left < 0:
            return format_html('<span class="po-days po-overdue">{}</span>', gettext("%(n)s overdue") % {"n": -left})
        if left == 0:
            return format_html('<span class="po-days po-overdue">{}</span>', gettext("due today"))
        css = "po-soon" if left <= 3 else "po-ok"
        return format_html('<span class="po-days {}">{}</span>', css, left)

    @admin.display(description=_("Art. 39 date"), ordering="art39_on")
    def art39(self, obj):
        return obj.art39_on


# ------------------------------------------------------------------------------------------
# Desk set-up: organizations and their policies. Saved by the admin, with a required reason.
# ------------------------------------------------------------------------------------------
class ReasonForm(NormalizedNewlinesMixin, forms.ModelForm):
    """Set-up forms: a required reason for the history, the version the user saw (a second
    manager saving over the first gets a conflict message, never a silent overwrite), and
    line endings normalised so that re-saving unchanged text is no change."""

    change_reason = forms.CharField(
        label=_("Reason for this change"),
        max_length=200,
        validators=[reject_individual_number],
        help_text=_("Kept in the history (who changed what, when and why)."),
    )
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    BOOKKEEPING = ("change_reason", "seen_version")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            self.initial["seen_version"] = self.instance.version

    @property
    def changed_fields(self) -> list[str]:
        return [name for name in self.changed_data if name not in self.BOOKKEEPING]

    def clean(self):
        data = super().clean()
        if self.instance.pk is not None:
            # Locked until the admin's transaction ends: no other save slips in between.
            current = type(self.instance).objects.select_for_update().filter(pk=self.instance.pk).first()
            seen = data.get("seen_version")
            if current is not None and seen is not None and current.version != seen:
                raise forms.ValidationError(
                    _(
                        "Another member of staff saved this after you opened it. Nothing was changed: "
                        "reload the page to see their change, then try again."
                    ),
                    code="conflict",
                )
        return data


class SetupAdminMixin:
    """Scoped to the user's organizations; every save records the reason the user gave."""

    organization_path = "organization"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.filter(**{f"{self.organization_path}__in": selectors.organization_ids_for(request.user)})

    def get_form(self, request, obj=None, **kwargs):
        base = kwargs.get("form", self.form)
        kwargs["form"] = type("WithReason", (ReasonForm, base), {})
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not (self.has_change_permission(request, obj) if obj else self.has_add_permission(request)):
            return fieldsets  # read-only: nothing to give a reason for
        return [*fieldsets, (_("Reason"), {"fields": ["change_reason", "seen_version"]})]

    def history_view(self, request, object_id, extra_context=None):
        return record_history(request, self, object_id)

    @staticmethod
    def _stamp(obj, form) -> None:
        obj._history_operation = AuditOp.ADMIN_EDIT
        obj._change_reason = form.cleaned_data["change_reason"]

    def save_model(self, request, obj, form, change):
        if change and not form.changed_fields:
            return  # nothing changed: no history row, no new version
        self._stamp(obj, form)
        if change:
            obj.version += 1
        else:
            obj._history_as_created = True
        # Its one history row is written in save_related, after the many-to-many fields (staff).
        obj.skip_history_when_saving = True
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        if getattr(obj, "skip_history_when_saving", False):
            del obj.skip_history_when_saving
            self._stamp(obj, form)
            obj.save()  # one row: the fields and the many-to-many values together
        if change and (form.changed_data or any(f.has_changed() for f in formsets)):
            self.refresh_cases(obj)

    def refresh_cases(self, obj) -> None:
        """The cases whose derived dates depend on ``obj`` (none by default)."""

    def save_formset(self, request, form, formset, change):
        for instance in formset.save(commit=False):
            self._stamp(instance, form)
            instance.save()
        for instance in formset.deleted_objects:
            self._stamp(instance, form)
            instance.delete()
        formset.save_m2m()

    def has_delete_permission(self, request, obj=None):
        return False  # cases refer to them; history needs them

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organization":  # only the user's organizations can be chosen
            kwargs["queryset"] = selectors.organization_list(actor=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "staff":  # least privilege: a manager's own colleagues, no one else
            kwargs["queryset"] = selectors.colleagues(request.user).filter(is_staff=True, is_active=True)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ClosedDayInline(admin.TabularInline):
    model = OrganizationClosedDay
    extra = 1


@admin.register(Organization)
class OrganizationAdmin(SetupAdminMixin, admin.ModelAdmin):
    organization_path = "pk"

    def refresh_cases(self, obj) -> None:
        services.cases_refresh(organization=obj)  # holidays, closure and closed days move due dates

    list_display = ("code", "name", "desk_name", "holiday_country", "year_end_closure", "internal_target_business_days")
    search_fields = ("code", "name", "name_en")
    filter_horizontal = ("staff",)
    inlines = [ClosedDayInline]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "year_end_closure":
            choices = [
                ("unknown", _("The country's custom (Japan: closed; elsewhere: open)")),
                ("true", _("Closed Dec 29 – Jan 3")),
                ("false", _("Open Dec 29 – Jan 3")),
            ]
            widget = forms.NullBooleanSelect()
            widget.choices = choices  # its values, our words: "unknown" is the country's custom
            return forms.NullBooleanField(
                label=db_field.verbose_name, required=False, widget=widget, help_text=db_field.help_text
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    fieldsets = [
        (None, {"fields": ["code", "name", "name_en"]}),
        (
            _("Desk"),
            {
                "fields": [
                    "desk_name",
                    "desk_postal_code",
                    "desk_address",
                    "desk_phone",
                    "desk_email",
                    "desk_hours",
                    "complaint_desk",
                ]
            },
        ),
        (
            _("Calendar and deadlines"),
            {"fields": ["holiday_country", "year_end_closure", "internal_target_business_days"]},
        ),
        (_("Access"), {"fields": ["staff"]}),
    ]

    def save_related(self, request, form, formsets, change):
        if not change and not request.user.is_superuser:  # whoever creates an organization can see it
            form.cleaned_data["staff"] = [*form.cleaned_data.get("staff", []), request.user]
        super().save_related(request, form, formsets, change)


class AgentProofRuleInline(admin.TabularInline):
    model = AgentProofRule
    form = AgentProofRuleForm
    extra = 0


@admin.register(DeskPolicy)
class DeskPolicyAdmin(SetupAdminMixin, admin.ModelAdmin):
    form = DeskPolicyForm

    def refresh_cases(self, obj) -> None:
        services.cases_refresh(policy=obj)  # deadline rules, proofs and retention move the dates

    list_display = ("organization", "name", "effective_from", "deadline_limit", "deadline_unit", "fee_disclosure")
    list_filter = (OrganizationFilter,)  # scoped: never lists organizations the user cannot see
    list_select_related = ("organization",)
    inlines = [AgentProofRuleInline]
    fieldsets = [
        (None, {"fields": ["organization", "name", "effective_from", "source"]}),
        (_("Channels"), {"fields": ["channels", "channel_notes"]}),
        (
            _("Fees (Art. 38)"),
            {
                "fields": [
                    "fee_purpose_notice",
                    "fee_disclosure",
                    "fee_third_party_record_disclosure",
                    "fee_basis",
                    "payment_methods",
                    "bank_account",
                    "fee_notes",
                ]
            },
        ),
        (
            _("Identity and agents"),
            {
                "fields": [
                    "id_documents_required",
                    "accepted_id_documents",
                    "photo_id_count",
                    "non_photo_id_count",
                    "address_match_required",
                    "certificate_max_age_months",
                    "id_notes",
                    "agents_allowed",
                    "agent_id_documents",
                    "subject_id_for_agents",
                    "confirms_intent_directly",
                ]
            },
        ),
        (_("Response"), {"fields": ["response_methods", "self_service_kinds", "reply_to", "download_link_days"]}),
        (
            _("Deadline"),
            {
                "fields": [
                    "deadline_counts_from",
                    "deadline_unit",
                    "deadline_limit",
                    "deadline_notes",
                    "extension_limit",
                    "extension_notice_limit",
                    "acknowledgement_unit",
                    "acknowledgement_limit",
                ]
            },
        ),
        (_("Documents after verification"), {"fields": ["id_copy_disposal", "form_retention_days"]}),
        (
            _("Reminders and abandoned requests"),
            {
                "fields": [
                    "remind_verification_after",
                    "remind_requester_wait_after",
                    "remind_fee_wait_after",
                    "propose_withdrawal_after",
                ]
            },
        ),
    ]


@admin.register(TargetSystem)
class TargetSystemAdmin(SetupAdminMixin, admin.ModelAdmin):
    """Where accepted corrections, erasures and suspensions are carried out (fulfilment tasks)."""

    list_display = ("organization", "name", "description", "is_active")
    list_filter = (OrganizationFilter, "is_active")
    list_select_related = ("organization",)
    fields = ["organization", "name", "description", "is_active"]


@admin.register(LetterTemplate)
class LetterTemplateAdmin(TargetSystemAdmin):
    """An organization's own wording for a kind of letter (no code change)."""

    list_display = ("organization", "kind", "language", "title")
    list_filter = (OrganizationFilter, "kind", "language")
    fields = ["organization", "kind", "language", "title", "body"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "body":
            field.help_text = _("Django template. Variables: %(names)s") % {
                "names": ", ".join(letters.TEMPLATE_VARIABLES.split())
            }
        return field


class PortalSettingsForm(forms.ModelForm):
    """Opening the online pages needs a policy in force that accepts the web form channel."""

    class Meta:
        model = PortalSettings
        fields = [
            "organization",
            "enabled",
            "intro",
            "intro_en",
            "privacy_notice",
            "privacy_notice_en",
            "after_submission",
            "after_submission_en",
        ]

    def clean(self):
        data = super().clean()
        organization = data.get("organization") or getattr(self.instance, "organization", None)
        if data.get("enabled") and organization is not None:
            policy = selectors.policy_in_force(organization)
            if policy is None or Channel.WEB_FORM not in (policy.channels or []):
                self.add_error(
                    "enabled",
                    _(
                        "The desk policy in force does not accept “Web form” as a channel: add it to the policy "
                        "(accepted channels) before opening the online pages."
                    ),
                )
        return data


@admin.register(PortalSettings)
class PortalSettingsAdmin(SetupAdminMixin, admin.ModelAdmin):
    """The online request pages of an organization: open or closed, and the texts people read."""

    form = PortalSettingsForm
    list_display = ("organization", "enabled", "portal_address")
    list_filter = (OrganizationFilter, "enabled")
    list_select_related = ("organization",)
    fields = PortalSettingsForm.Meta.fields

    @admin.display(description=_("address of the pages"))
    def portal_address(self, obj):
        return reverse("portal:form", args=[obj.organization.code])


class ReadOnlyAdminMixin:
    """A list to read: written elsewhere (services, the sweep), never added, changed or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LegalHold)
class LegalHoldAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every legal hold, open and lifted, for managers and auditors (issue 15): read-only here —
    holds are placed and lifted from the case page, through the services."""

    list_display = ("organization", "case_link", "placed_on", "placed_by", "reason", "lifted_on", "lift_reason")
    list_filter = (OrganizationFilter, ("lifted_on", admin.EmptyFieldListFilter))
    list_select_related = ("organization", "request", "placed_by")
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(organization__in=selectors.organization_ids_for(request.user))

    @admin.display(description=_("case"))
    def case_link(self, obj):
        if obj.request_id is None:
            return gettext("The person: all their cases")
        url = reverse("admin:requests_app_request_change", args=[obj.request_id])
        return format_html('<a href="{}">{}</a>', url, obj.request.reference)


# ------------------------------------------------------------------------------------------
# Complaints and consultations (issue 15): the register; its pages in complaint_views
# ------------------------------------------------------------------------------------------
class ComplaintNeedsFilter(admin.SimpleListFilter):
    """The dashboard's figures as a filter (``selectors.complaints_needing``)."""

    title = _("needs")
    parameter_name = "needs"

    def lookups(self, request, model_admin):
        return [("overdue", _("Reply overdue")), ("approval", _("Reply awaiting approval")), ("mine", _("Mine"))]

    def queryset(self, request, queryset):
        if self.value() in {"overdue", "approval", "mine"}:
            return queryset.filter(
                selectors.complaints_needing(actor=request.user, which=self.value(), today=timezone.localdate())
            )
        return queryset


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    """The register, scoped to the user's organizations. Registering, correcting and the reply's
    road go through ``complaint_views`` and the services; nothing is deleted."""

    list_display = (
        "number",
        "received_on",
        "organization",
        "kind",
        "topic",
        "status",
        "reply_due_on",
        "assignee_name",
        "replied_on",
        "outcome",
    )
    list_filter = (ComplaintNeedsFilter, "status", "kind", "topic", OrganizationFilter, "outcome")
    list_select_related = ("organization", "assignee")
    show_full_result_count = False
    ordering = ("-received_on", "-id")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(organization__in=selectors.organization_ids_for(request.user))

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("number"), ordering="id")
    def number(self, obj):
        return f"C-{obj.pk}"

    @admin.display(description=_("assignee"), ordering="assignee__last_name")
    def assignee_name(self, obj):
        return (obj.assignee.get_full_name() or obj.assignee.get_username()) if obj.assignee_id else "—"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/edit/",
                wrap(lambda request, object_id: complaint_views.complaint_edit(request, self, object_id)),
                name="requests_app_complaint_edit",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        return complaint_views.complaint_add(request, self)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return complaint_views.complaint_detail(request, self, object_id)

    def history_view(self, request, object_id, extra_context=None):
        return complaint_views.complaint_history(request, self, object_id)


# ------------------------------------------------------------------------------------------
# Reminder log: read-only, for the desk and its managers (failed deliveries stand out)
# ------------------------------------------------------------------------------------------
@admin.register(ReminderLog)
class ReminderLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("day", "recipient_name", "case_reference", "kind", "status", "attempts", "sent_at", "last_error")
    list_filter = ("status", "kind", "day")
    list_select_related = ("recipient", "request", "complaint")
    search_fields = ("=request__reference",)
    show_full_result_count = False
    ordering = ("-day", "-id")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(
                Q(request__organization_id__in=selectors.organization_ids_for(request.user))
                | Q(complaint__organization_id__in=selectors.organization_ids_for(request.user))
            )
        )

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("requests_app.view_request")

    @admin.display(description=_("recipient"), ordering="recipient__last_name")
    def recipient_name(self, obj):
        return obj.recipient.get_full_name() or obj.recipient.get_username()

    @admin.display(description=_("request"), ordering="request__reference")
    def case_reference(self, obj):
        if obj.complaint_id is not None:
            return format_html(
                '<a href="{}">C-{}</a>',
                reverse("admin:requests_app_complaint_change", args=[obj.complaint_id]),
                obj.complaint_id,
            )
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:requests_app_request_change", args=[obj.request_id]),
            obj.request.reference,
        )
