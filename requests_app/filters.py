"""The request list's parameters: what each accepts and what it means, in one place.

``RequestFilter`` is bound to the list's query string first (``RequestAdmin.changelist_view``).
A value it refuses is a 400 page naming the parameter, with an empty list: never a 500, never the
unfiltered list. The sidebar's list filters in ``admin.py`` are thin adapters: their titles, choices
and querysets all come from here. The filters call ``RequestQuerySet`` methods, the same ones the
dashboard and the reminders use.

``o`` (ordering), ``p`` (page) and ``q`` (search) are validated here but applied by the admin
(its column sorting, its paginator and ``RequestAdmin.get_search_results``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from requests_app import selectors
from requests_app.models import AgentType, Channel, ItemKind, Organization, Request, Status
from requests_app.validators import reject_individual_number

OPEN, ALL = "open", "all"
ME, NOBODY = "me", "none"
SELF = "self"

STATUS_CHOICES = [(OPEN, _("Open (default)")), (ALL, _("All")), *Status.choices]
DUE_CHOICES = [
    ("overdue", _("Overdue")),
    ("today", _("Due today")),
    ("soon", _("Due within 3 business days")),
    ("week", _("Due this week")),
    ("art39", _("Two weeks since it reached us (Art. 39)")),
    ("not_started", _("Clock not started (incomplete)")),
]
REQUESTER_CHOICES = [(SELF, _("The data subject (self)")), *AgentType.choices]
# "Due soon": this many business days from today, by each organization's calendar.
SOON_BUSINESS_DAYS = 3

# The admin's own parameters that the list passes on untouched (the admin checks them itself):
# "Show counts", popups of related-object widgets, "Show all" and the admin's error flag.
ADMIN_PARAMETERS = frozenset({"_facets", "_popup", "_to_field", "all", "e"})


# ------------------------------------------------------------------------------------------
# Form fields for the values that are not a plain choice
# ------------------------------------------------------------------------------------------
class AssigneeField(forms.ModelChoiceField):
    """``me``, ``none`` or the id of a user in ``queryset`` (the staff the actor may assign)."""

    def to_python(self, value):
        if value in (ME, NOBODY):
            return value
        return super().to_python(value)


class OrderingField(forms.CharField):
    """The admin's column sort: column numbers joined by dots, ``-`` for descending (``1``, ``-7.0``).

    With ``sortable_columns`` given, only those columns are accepted; else any column number.
    """

    pattern = re.compile(r"-?[0-9]{1,3}")

    def __init__(self, *, sortable_columns: Collection[int] | None = None, **kwargs):
        self.sortable_columns = None if sortable_columns is None else frozenset(sortable_columns)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return ""
        parts = value.split(".")
        if not all(self.pattern.fullmatch(part) for part in parts) or (
            self.sortable_columns is not None
            and not all(int(part.lstrip("-")) in self.sortable_columns for part in parts)
        ):
            columns = ", ".join(str(c) for c in sorted(self.sortable_columns or ())) or "0, 1, 2 …"
            raise ValidationError(
                _("Give sortable column numbers (%(columns)s) joined by dots, “-” to reverse: e.g. 1 or -7.1."),
                code="invalid",
                params={"columns": columns},
            )
        return value


class PageField(forms.CharField):
    """A page of the list: a whole number from 1 (whether that page exists, the admin's paginator says)."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if not re.fullmatch(r"[0-9]{1,9}", value) or int(value) < 1:
            raise ValidationError(_("Give a page number from 1."), code="invalid")
        return int(value)


class AssigneeChoiceFilter(django_filters.Filter):
    field_class = AssigneeField


class OrderingFilter(django_filters.Filter):
    field_class = OrderingField


class PageFilter(django_filters.Filter):
    field_class = PageField


class RequestFilterForm(forms.Form):
    """Refuses parameters the list does not have (the admin would redirect with ``?e=1``)."""

    def clean(self):
        known = set(self.fields) | ADMIN_PARAMETERS
        for name in self.data:
            if name not in known:
                self.add_error(
                    None,
                    ValidationError(
                        _("The list has no parameter “%(name)s”."), code="unknown", params={"name": shown(name)}
                    ),
                )
        return super().clean()


def shown(value, length: int = 40) -> str:
    """A value from the query string as it may appear in a message: printable and short."""
    text = "".join(c if c.isprintable() else "\ufffd" for c in str(value))
    return Truncator(text).chars(length)


# ------------------------------------------------------------------------------------------
# The FilterSet
# ------------------------------------------------------------------------------------------
class RequestFilter(django_filters.FilterSet):
    """Every parameter of the request list. ``actor`` scopes the organizations and staff offered.

    - ``status``: ``open`` (the default), ``all`` or one ``Status`` value
    - ``due``: ``overdue``, ``today``, ``soon``, ``week``, ``art39`` or ``not_started``
    - ``kind``: one ``ItemKind`` value
    - ``organization``: the id of one of the actor's organizations
    - ``assignee``: ``me``, ``none`` or the id of staff the actor may assign
    - ``channel``: one ``Channel`` value
    - ``requester``: ``self`` or one ``AgentType`` value
    - ``o``: sortable column numbers joined by dots, ``-`` for descending (``1``, ``-7.0``);
      ``sortable_columns`` are the admin's (``RequestAdmin.sortable_columns``)
    - ``p``: a page number from 1; ``q``: search text (up to 200 characters, no NUL, no Individual
      Number: refused, and never echoed back)
    - the admin's own ``_facets``, ``_popup``, ``_to_field``, ``all`` and ``e``; nothing else.

    Bound to the query string (``RequestFilter(request.GET, actor=request.user)``), ``is_valid()``
    says whether the list can be shown; ``error_messages()`` says why not, in the user's language.
    ``qs`` is the actor's cases filtered (and none at all while a value is refused).
    """

    status = django_filters.ChoiceFilter(label=_("status"), choices=STATUS_CHOICES, method="filter_status")
    due = django_filters.ChoiceFilter(label=_("deadline"), choices=DUE_CHOICES, method="filter_due")
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=ItemKind.choices, method="filter_kind")
    organization = django_filters.ModelChoiceFilter(
        label=_("organization"), queryset=Organization.objects.none(), method="filter_organization"
    )
    assignee = AssigneeChoiceFilter(
        label=_("assignee"), queryset=get_user_model().objects.none(), method="filter_assignee"
    )
    channel = django_filters.ChoiceFilter(label=_("channel"), choices=Channel.choices, method="filter_channel")
    requester = django_filters.ChoiceFilter(label=_("requester"), choices=REQUESTER_CHOICES, method="filter_requester")
    o = OrderingFilter(label=_("sort order"), method="applied_by_the_admin")
    p = PageFilter(label=_("page"), method="applied_by_the_admin")
    q = django_filters.CharFilter(
        label=_("search"), max_length=200, method="applied_by_the_admin", validators=[reject_individual_number]
    )

    # What an empty or missing parameter means (the others: no filtering).
    DEFAULTS = {"status": OPEN}

    class Meta:
        model = Request
        fields = []
        form = RequestFilterForm

    def __init__(self, data=None, queryset=None, *, actor, sortable_columns: Collection[int] | None = None, **kwargs):
        if queryset is None:
            queryset = selectors.request_list(actor=actor)  # never the unscoped default manager
        super().__init__(data, queryset=queryset, **kwargs)
        self.actor = actor
        self.filters["organization"].queryset = selectors.organization_list(actor=actor)
        self.filters["assignee"].extra["queryset"] = selectors.assignable_staff(actor=actor)
        self.filters["o"].extra["sortable_columns"] = sortable_columns

    # -- binding to a request, shared with the sidebar's adapters --
    REQUEST_ATTRIBUTE = "_privacyops_request_filter"

    @classmethod
    def bind(cls, request, **kwargs) -> RequestFilter:
        """Bind to ``request.GET`` for ``request.user``; the sidebar's adapters reuse this instance."""
        filterset = cls(request.GET, actor=request.user, **kwargs)
        setattr(request, cls.REQUEST_ATTRIBUTE, filterset)
        return filterset

    @classmethod
    def for_request(cls, request) -> RequestFilter:
        """The instance ``bind`` attached to ``request``, else an unbound one (another admin's list)."""
        filterset = getattr(request, cls.REQUEST_ATTRIBUTE, None)
        if filterset is None:
            filterset = cls(actor=request.user)
            setattr(request, cls.REQUEST_ATTRIBUTE, filterset)
        return filterset

    # -- filtering --
    def filter_queryset(self, queryset):
        if not self.form.is_valid():
            return queryset.none()  # a refused value never shows the unfiltered list
        for name, value in self.form.cleaned_data.items():
            queryset = self.apply(name, value, queryset)
        return queryset

    def apply(self, name: str, value, queryset):
        """``queryset`` filtered by one parameter's cleaned value (its default if empty)."""
        if value in EMPTY_VALUES:
            value = self.DEFAULTS.get(name, value)
        return self.filters[name].filter(queryset, value)

    def filter_by(self, name: str, raw, queryset):
        """``queryset`` filtered by one parameter as written in the URL (``None``: not given).

        What the sidebar's adapters call. A value that is refused filters out everything.
        """
        form = self.form
        if self.is_bound and raw == self.data.get(name) and name not in form.errors:
            value = form.cleaned_data[name]  # checked once already: no second lookup
        else:
            try:
                value = form.fields[name].clean(raw)
            except ValidationError:
                return queryset.none()
        return self.apply(name, value, queryset)

    def filter_status(self, queryset, name, value):
        """``open`` (the default: not closed, withdrawn or rejected), ``all``, or one status."""
        if value == OPEN:
            return queryset.open()
        if value == ALL:
            return queryset
        return queryset.filter(status=value)

    def filter_due(self, queryset, name, value):
        """``overdue``; due ``today``; due ``soon`` (within 3 business days, by each organization's
        calendar); due this ``week`` (Monday to Sunday); ``art39``: two weeks since it reached us and
        no answer yet; ``not_started``: open, the clock not started (the request is incomplete)."""
        today = timezone.localdate()
        if value == "overdue":
            return queryset.overdue(today)
        if value == "today":
            return queryset.due_between(today, today)
        if value == "soon":
            return queryset.unanswered().filter(
                selectors.due_within_business_days(actor=self.actor, today=today, days=SOON_BUSINESS_DAYS)
            )
        if value == "week":
            monday = today - dt.timedelta(days=today.weekday())
            return queryset.due_between(monday, monday + dt.timedelta(days=6))
        if value == "art39":
            return queryset.art39_passed(today)
        if value == "not_started":
            # A clock counted from receipt runs from the first day (SPEC §5).
            return queryset.open().filter(complete_on__isnull=True).exclude(policy__deadline_counts_from="receipt")
        return queryset.none()  # unreachable: the field accepts the choices above only

    def filter_kind(self, queryset, name, value):
        """One ``ItemKind``: cases with an item of that kind."""
        return queryset.with_kind(value)

    def filter_organization(self, queryset, name, value):
        """The id of one of the actor's organizations (another organization's id is refused)."""
        return queryset.filter(organization=value)

    def filter_assignee(self, queryset, name, value):
        """``me``, ``none`` (unassigned) or the id of staff the actor may assign."""
        if value == ME:
            return queryset.filter(assignee=self.actor)
        if value == NOBODY:
            return queryset.filter(assignee__isnull=True)
        return queryset.filter(assignee=value)

    def filter_channel(self, queryset, name, value):
        """One ``Channel``: how the request reached us."""
        return queryset.filter(channel=value)

    def filter_requester(self, queryset, name, value):
        """``self`` (the data subject) or an ``AgentType``."""
        return queryset.by_requester(value)

    def applied_by_the_admin(self, queryset, name, value):
        """``o``, ``p`` and ``q`` are only checked here: the admin sorts, pages and searches."""
        return queryset

    # -- for the sidebar and the error page --
    def choices(self, name: str) -> list[tuple]:
        """The values the sidebar offers for ``name``, with their labels."""
        if name == "organization":
            return [(o.pk, o.name) for o in self.filters["organization"].queryset]
        if name == "assignee":
            staff = self.filters["assignee"].extra["queryset"]
            return [
                (ME, _("Me")),
                (NOBODY, _("Unassigned")),
                *[(u.pk, u.get_full_name() or u.get_username()) for u in staff],
            ]
        return list(self.filters[name].extra["choices"])

    def error_messages(self) -> list[str]:
        """One sentence per refused parameter, naming it and its value (in the active language)."""
        messages = []
        for name, errors in self.form.errors.as_data().items():
            if name == NON_FIELD_ERRORS:
                messages.extend(message for error in errors for message in error.messages)
                continue
            params = {"label": self.filters[name].label, "value": shown(self.data.get(name, ""))}
            if any(error.code == "individual_number" for error in errors):
                params["value"] = "…"  # an Individual Number is never written back, not even here
            for error in errors:
                if error.code == "invalid_choice":
                    messages.append(gettext("“%(value)s” cannot be chosen for “%(label)s”.") % params)
                else:
                    for reason in error.messages:
                        messages.append(
                            gettext("“%(value)s” is not a valid “%(label)s”. %(reason)s") % {**params, "reason": reason}
                        )
        return messages

    def valid_data(self):
        """The query string without refused or unknown parameters (what the error page keeps)."""
        form = self.form
        kept = self.data.copy()
        for name in list(kept):
            if (name not in form.fields and name not in ADMIN_PARAMETERS) or name in form.errors:
                del kept[name]
        return kept
