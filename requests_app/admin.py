"""The desk in the admin: the request list, the case pages (views.py) and the desk set-up.

Every queryset is scoped to the user's organizations (selectors); cases are changed only
through services, never by the admin's own save. Nothing here queries per row.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.contrib import admin
from django.db.models import F
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from privacyops.access import log_access
from privacyops.models import AccessKind
from requests_app import selectors, views
from requests_app.deadlines import BusinessCalendar
from requests_app.forms import AgentProofRuleForm, DeskPolicyForm
from requests_app.models import (
    OPEN_STATUSES,
    AgentProofRule,
    AgentType,
    DeskPolicy,
    ItemKind,
    LetterTemplate,
    Organization,
    OrganizationClosedDay,
    ReminderLog,
    Request,
    Status,
    TargetSystem,
)
from requests_app.validators import reject_individual_number


# ------------------------------------------------------------------------------------------
# List filters: each calls a RequestQuerySet method, the same ones FilterSets and reminders use
# ------------------------------------------------------------------------------------------
class StatusFilter(admin.SimpleListFilter):
    """Open cases unless the user asks for others: closed ones stay out of the way."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("open", _("Open (default)")), ("all", _("All")), *Status.choices]

    def queryset(self, request, queryset):
        value = self.value()
        if value in (None, "open"):
            return queryset.open()
        if value == "all":
            return queryset
        return queryset.filter(status=value)

    def choices(self, changelist):
        value = self.value() or "open"
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class DueFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("Overdue")),
            ("today", _("Due today")),
            ("soon", _("Due within 3 business days")),
            ("week", _("Due this week")),
            ("art39", _("Two weeks since it reached us (Art. 39)")),
            ("not_started", _("Clock not started (incomplete)")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        value = self.value()
        if value == "overdue":
            return queryset.overdue(today)
        if value == "today":
            return queryset.due_between(today, today)
        if value == "soon":
            return queryset.unanswered().filter(
                selectors.due_within_business_days(actor=request.user, today=today, days=3)
            )
        if value == "week":
            monday = today - dt.timedelta(days=today.weekday())
            return queryset.due_between(monday, monday + dt.timedelta(days=6))
        if value == "art39":
            return queryset.art39_passed(today)
        if value == "not_started":
            return queryset.open().filter(complete_on__isnull=True)
        return queryset


class ItemKindFilter(admin.SimpleListFilter):
    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return ItemKind.choices

    def queryset(self, request, queryset):
        return queryset.with_kind(self.value()) if self.value() else queryset


class OrganizationFilter(admin.SimpleListFilter):
    title = _("organization")
    parameter_name = "organization"

    def lookups(self, request, model_admin):
        return [(o.pk, o.name) for o in selectors.organization_list(actor=request.user)]

    def queryset(self, request, queryset):
        return queryset.filter(organization_id=self.value()) if self.value() else queryset


class AssigneeFilter(admin.SimpleListFilter):
    title = _("assignee")
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        staff = selectors.assignable_staff(actor=request.user)
        return [
            ("me", _("Me")),
            ("none", _("Unassigned")),
            *[(u.pk, u.get_full_name() or u.get_username()) for u in staff],
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(assignee=request.user)
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        return queryset.filter(assignee_id=value) if value else queryset


class RequesterFilter(admin.SimpleListFilter):
    title = _("requester")
    parameter_name = "requester"

    def lookups(self, request, model_admin):
        return [("self", _("The data subject (self)")), *AgentType.choices]

    def queryset(self, request, queryset):
        return queryset.by_requester(self.value()) if self.value() else queryset


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
        "channel",
        RequesterFilter,
    )
    search_fields = (
        "^reference",
        "^data_subject__family_name",
        "^data_subject__given_name",
        "^data_subject__family_name_kana",
        "^data_subject__given_name_kana",
        "=data_subject__email",
        "^agent__family_name",
        "^agent__family_name_kana",
        "=agent__email",
    )
    search_help_text = _("Reference (or its last digits), name or kana (beginning), exact e-mail.")
    ordering = (F("due_on").asc(nulls_last=True), "-reached_on", "-id")
    show_full_result_count = False
    list_per_page = 50

    def get_queryset(self, request):
        return selectors.request_list(actor=request.user)

    def changelist_view(self, request, extra_context=None):
        extra_context = {"title": gettext("Requests"), **(extra_context or {})}
        response = super().changelist_view(request, extra_context)
        if response.status_code == 200:
            log_access(request, AccessKind.CASE_LIST)  # the list shows names: a view of personal data
        return response

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if re.fullmatch(r"\d{1,6}", term):
            return queryset.filter(reference__endswith=f"-{int(term):06d}"), False
        return super().get_search_results(request, queryset, search_term)

    def has_delete_permission(self, request, obj=None):
        return False  # cases are never deleted; retention purges personal fields instead

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
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
        calendar = BusinessCalendar.for_organization(obj.organization)
        left = calendar.business_days_between(timezone.localdate(), obj.due_on)
        if left < 0:
            return format_html('<span class="po-days po-overdue">{}</span>', gettext("%(n)s overdue") % {"n": -left})
        if left == 0:
            return format_html('<span class="po-days po-overdue">{}</span>', gettext("due today"))
        css = "po-soon" if left <= 3 else "po-ok"
        return format_html('<span class="po-days {}">{}</span>', css, left)

    @admin.display(description=_("Art. 39 date"), ordering="reached_on")
    def art39(self, obj):
        return obj.art39_on


# ------------------------------------------------------------------------------------------
# Desk set-up: organizations and their policies. Saved by the admin, with a required reason.
# ------------------------------------------------------------------------------------------
class ReasonForm(forms.ModelForm):
    change_reason = forms.CharField(
        label=_("Reason for this change"),
        max_length=200,
        validators=[reject_individual_number],
        help_text=_("Kept in the history (who changed what, when and why)."),
    )


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
        return [*fieldsets, (_("Reason"), {"fields": ["change_reason"]})]

    def save_model(self, request, obj, form, change):
        obj._change_reason = form.cleaned_data["change_reason"]
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for instance in formset.save(commit=False):
            instance._change_reason = form.cleaned_data["change_reason"]
            instance.save()
        for instance in formset.deleted_objects:
            instance._change_reason = form.cleaned_data["change_reason"]
            instance.delete()
        formset.save_m2m()

    def has_delete_permission(self, request, obj=None):
        return False  # cases refer to them; history needs them

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organization":  # only the user's organizations can be chosen
            kwargs["queryset"] = selectors.organization_list(actor=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ClosedDayInline(admin.TabularInline):
    model = OrganizationClosedDay
    extra = 1


@admin.register(Organization)
class OrganizationAdmin(SetupAdminMixin, admin.ModelAdmin):
    organization_path = "pk"
    list_display = ("code", "name", "desk_name", "holiday_country", "year_end_closure", "internal_target_business_days")
    search_fields = ("code", "name", "name_en")
    filter_horizontal = ("staff",)
    inlines = [ClosedDayInline]
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

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change and not request.user.is_superuser:
            obj.staff.add(request.user)  # whoever creates an organization can see it


class AgentProofRuleInline(admin.TabularInline):
    model = AgentProofRule
    form = AgentProofRuleForm
    extra = 0


@admin.register(DeskPolicy)
class DeskPolicyAdmin(SetupAdminMixin, admin.ModelAdmin):
    form = DeskPolicyForm
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
                    "payment_methods",
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
                    "id_notes",
                    "agents_allowed",
                    "confirms_intent_directly",
                ]
            },
        ),
        (_("Response"), {"fields": ["response_methods", "reply_to"]}),
        (
            _("Deadline"),
            {
                "fields": [
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


# ------------------------------------------------------------------------------------------
# Reminder log: read-only, for the desk and its managers (failed deliveries stand out)
# ------------------------------------------------------------------------------------------
@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ("day", "recipient_name", "case_reference", "kind", "status", "attempts", "sent_at", "last_error")
    list_filter = ("status", "kind", "day")
    list_select_related = ("recipient", "request")
    search_fields = ("=request__reference",)
    show_full_result_count = False
    ordering = ("-day", "-id")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(request__organization_id__in=selectors.organization_ids_for(request.user))
        )

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("requests_app.view_request")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("recipient"), ordering="recipient__last_name")
    def recipient_name(self, obj):
        return obj.recipient.get_full_name() or obj.recipient.get_username()

    @admin.display(description=_("request"), ordering="request__reference")
    def case_reference(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:requests_app_request_change", args=[obj.request_id]),
            obj.request.reference,
        )
