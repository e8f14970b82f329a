"""The audit trail (SPEC §12): one timeline over the history of every tracked model and the access log.

The timeline is a ``UNION ALL`` of one query per source (a history table, or the access log), each
filtered by the same django-filter ``AuditTrailFilter`` and limited to the page, ordered newest
first by (time, source, id). Pages are cut with a keyset cursor, never OFFSET, so the first and the
thousandth page cost the same on millions of rows. Diffs for a page are computed from the rows on
it and their predecessors: two queries per kind of record, whatever the size of the history.

Scope: what a user may read is limited to their organizations' records (staff user history is
visible to every reader of the trail: it is about the desk itself).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass

import django_filters
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, models
from django.db.models import Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.query import EmptyQuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacyops import csv_safe
from privacyops.audit import registry
from privacyops.audit.history import (
    Entry,
    Names,
    diff,
    m2m_fields,
    m2m_names_index,
    m2m_values,
    tracked_fields,
    user_label,
)
from privacyops.audit.registry import ACCESS, Source

PAGE_SIZE = 50
ACCESS_TYPE = "v"  # the change type of an access-log row in the union


def _sources() -> list[Source]:
    return registry.sources()


def _rank(key: str) -> int:
    return [s.key for s in _sources()].index(key)


def record_type_choices():
    return [(source.key, source.verbose_name) for source in _sources()]


CHANGES = "changes"  # every change, no page view
CHANGE_TYPE_CHOICES = [
    (CHANGES, _("Changes only (no page views)")),
    ("+", _("Created")),
    ("~", _("Changed")),
    ("-", _("Deleted")),
    (ACCESS_TYPE, _("Viewed")),
]


# ------------------------------------------------------------------------------------------
# Filters: one FilterSet, applied to each source's queryset
# ------------------------------------------------------------------------------------------
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


class AuditTrailFilter(django_filters.FilterSet):
    """The trail's filters. Bound to one source at a time (``source``); the form is shared."""

    user = django_filters.ModelChoiceFilter(label=_("User"), queryset=get_user_model().objects.none(), method="by_user")
    record_type = django_filters.ChoiceFilter(
        label=_("Record type"), choices=record_type_choices, method="no_op", empty_label=_("All records")
    )
    organization = django_filters.ModelChoiceFilter(label=_("Organization"), queryset=None, method="by_org")
    case = django_filters.CharFilter(label=_("Case reference"), method="by_case")
    date_from = django_filters.DateFilter(
        label=_("From date"), method="by_date_from", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        label=_("To date"), method="by_date_to", widget=forms.DateInput(attrs={"type": "date"})
    )
    change_type = django_filters.ChoiceFilter(label=_("Change"), choices=CHANGE_TYPE_CHOICES, method="by_change_type")
    operation = django_filters.ChoiceFilter(
        label=_("Operation"), choices=registry.operation_choices, method="by_operation"
    )

    def __init__(
        self,
        data=None,
        queryset=None,
        *,
        source: Source | None = None,
        organizations=(),
        case_pks=None,
        actor=None,
        **kwargs,
    ):
        super().__init__(data, queryset=queryset, **kwargs)
        self.source = source
        self.case_pks = case_pks  # resolved once: reference → request pk (and its subject, agent)
        staff = registry.scope().colleagues(actor) if actor is not None else get_user_model().objects.none()
        self.filters["user"].queryset = staff.filter(is_staff=True).order_by("last_name", "username")
        self.filters["organization"].queryset = registry.scope().organizations(organizations)

    # -- filter methods: each knows the source's columns --
    def no_op(self, queryset, name, value):
        return queryset

    def by_user(self, queryset, name, value):
        field = "user_id" if self.source.key == ACCESS else "history_user_id"
        return queryset.filter(**{field: value.pk})

    def by_org(self, queryset, name, value):
        if self.source.org is None:
            return queryset.none()
        return queryset.filter(**{self.source.org: value.pk})

    def by_case(self, queryset, name, value):
        pks = self.case_pks or {}
        if not pks:
            return queryset.none()
        if self.source.key == "subject":
            return queryset.filter(id=pks.get("subject"))
        if self.source.key == "agent":
            return queryset.filter(id=pks["agent"]) if pks.get("agent") else queryset.none()
        if self.source.case is None:
            return queryset.none()
        return queryset.filter(**{self.source.case: pks["request"]})

    def _date_field(self):
        return "at" if self.source.key == ACCESS else "history_date"

    def by_date_from(self, queryset, name, value):
        start = timezone.make_aware(dt.datetime.combine(value, dt.time.min))
        return queryset.filter(**{f"{self._date_field()}__gte": start})

    def by_date_to(self, queryset, name, value):
        end = timezone.make_aware(dt.datetime.combine(value + dt.timedelta(days=1), dt.time.min))
        return queryset.filter(**{f"{self._date_field()}__lt": end})

    def by_operation(self, queryset, name, value):
        if self.source.key == ACCESS:
            return queryset.none()
        return queryset.filter(history_operation=value)

    def by_change_type(self, queryset, name, value):
        """One kind of change; ``changes``: every change and no page view; ``v``: page views only."""
        if value == CHANGES:
            return queryset.none() if self.source.key == ACCESS else queryset
        if self.source.key == ACCESS:
            return queryset if value == ACCESS_TYPE else queryset.none()
        return queryset.none() if value == ACCESS_TYPE else queryset.filter(history_type=value)


# ------------------------------------------------------------------------------------------
# The timeline
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cursor:
    at: dt.datetime
    rank: int
    id: int

    def encode(self) -> str:
        raw = json.dumps([self.at.isoformat(), self.rank, self.id]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str) -> Cursor | None:
        try:
            at, rank, pk = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
            return cls(dt.datetime.fromisoformat(at), int(rank), int(pk))
        except (ValueError, TypeError, json.JSONDecodeError):
            return None


class AuditTrail:
    """What one user may read, filtered. ``page()`` returns entries and the next cursor."""

    def __init__(self, *, actor, data):
        self.actor = actor
        self.data = data
        self.organizations = registry.scope().organization_ids(actor)
        # The form-only instance: validation and the page's fields (each source gets its own below).
        self.form_filter = AuditTrailFilter(
            data,
            queryset=apps.get_model("audit.AccessLog").objects.none(),
            organizations=self.organizations,
            actor=actor,
        )
        self.case_pks = None
        self.form.fields["user"].label_from_instance = lambda user: user_label(user)  # names, not logins

    def is_valid(self) -> bool:
        if not self.form_filter.is_valid():
            return False
        for name in ("date_from", "date_to"):  # beyond these, a day's bounds overflow (year 1, 9999)
            value = self.form.cleaned_data.get(name)
            if value is not None and not FIRST_DAY <= value <= LAST_DAY:
                self.form.add_error(name, _("Enter a date from 2000 to 2100."))
        if self.form.errors:
            return False
        reference = (self.form_filter.form.cleaned_data.get("case") or "").strip()
        if reference:
            found = registry.scope().case_lookup(reference, self.organizations)
            if found is None:
                self.form_filter.form.add_error("case", _("No case with this reference in your organizations."))
                return False
            self.case_pks = found
        return True

    @property
    def form(self):
        return self.form_filter.form

    def _sources(self) -> list[Source]:
        by_key = {s.key: s for s in _sources()}
        chosen = self.form.cleaned_data.get("record_type")
        wanted = [chosen] if chosen else list(by_key)
        return [by_key[key] for key in wanted if key in by_key]

    def _scoped(self, source: Source) -> models.QuerySet:
        model = source.history_model()
        queryset = model.objects.all()
        if source.org is not None and not self.actor.is_superuser:
            scope = Q(**{f"{source.org}__in": self.organizations})
            if source.key == ACCESS:
                # Views not tied to one case (lists, exports, the trail) are visible to readers who
                # share an organization with the person who looked.
                memberships = get_user_model().organizations.through.objects.filter(
                    user_id=OuterRef("user_id"), organization_id__in=self.organizations
                )
                scope |= Q(organization__isnull=True) & Q(Exists(memberships))
            queryset = queryset.filter(scope)
        if source.model == settings.AUTH_USER_MODEL and not self.actor.is_superuser:
            # Staff records: only the reader's colleagues (least privilege, as the staff directory).
            queryset = queryset.filter(id__in=registry.scope().colleagues(self.actor).values("pk"))
        # The one validated filter set, pointed at this source: its filter methods read the
        # source's columns (no filter set, deep copy of its filters or staff query per source).
        self.form_filter.source = source
        self.form_filter.case_pks = self.case_pks
        return self.form_filter.filter_queryset(queryset)

    def _branch(self, source: Source, cursor: Cursor | None) -> models.QuerySet:
        """One source's rows as (id, time, type, user, object, rank), after the cursor, unordered."""
        queryset = self._scoped(source)
        rank = _rank(source.key)
        if source.key == ACCESS:
            queryset = queryset.annotate(
                e_id=F("id"),
                e_at=F("at"),
                e_type=Value(ACCESS_TYPE, output_field=models.CharField()),
                e_user=F("user_id"),
                e_object=F("request_id"),
            )
        else:
            queryset = queryset.annotate(
                e_id=F("history_id"),
                e_at=F("history_date"),
                e_type=F("history_type"),
                e_user=F("history_user_id"),
                e_object=F("id"),
            )
        if cursor is not None:
            at_field = "at" if source.key == ACCESS else "history_date"
            id_field = "id" if source.key == ACCESS else "history_id"
            if rank < cursor.rank:
                keyset = Q(**{f"{at_field}__lte": cursor.at})
            elif rank == cursor.rank:
                keyset = Q(**{f"{at_field}__lt": cursor.at}) | Q(**{at_field: cursor.at, f"{id_field}__lt": cursor.id})
            else:
                keyset = Q(**{f"{at_field}__lt": cursor.at})
            queryset = queryset.filter(keyset)
        return queryset.annotate(e_rank=Value(rank, output_field=models.IntegerField())).values(
            "e_id", "e_at", "e_type", "e_user", "e_object", "e_rank"
        )

    def rows(self, cursor: Cursor | None = None, limit: int = PAGE_SIZE) -> list[dict]:
        """The next ``limit`` rows after ``cursor``: (id, time, type, user, object, rank), newest first."""
        branches = [self._branch(source, cursor) for source in self._sources()]
        branches = [b for b in branches if not isinstance(b, EmptyQuerySet)]  # filtered out entirely
        if not branches:
            return []
        if len(branches) == 1:  # one kind of record: a plain ordered query, no union
            return list(branches[0].order_by("-e_at", "-e_id")[:limit])
        if connection.features.supports_slicing_ordering_in_compound:
            # Each branch reads at most ``limit`` rows through its own date index (PostgreSQL).
            branches = [b.order_by("-e_at", "-e_id")[:limit] for b in branches]
        else:
            branches = [b.order_by() for b in branches]
        union = branches[0].union(*branches[1:], all=True)
        return list(union.order_by("-e_at", "-e_rank", "-e_id")[:limit])

    def summary(self) -> str:
        """The filters in words ("受付番号: 2026-000014, 開始日: 2026-06-01"), for an export's title;
        empty without filters. Call after ``is_valid``."""
        parts = []
        for name, value in self.form.cleaned_data.items():
            if value in (None, ""):
                continue
            field = self.form.fields[name]
            if name == "user":
                shown = user_label(value)
            elif hasattr(field, "choices") and not hasattr(value, "pk"):
                shown = str(dict(field.choices).get(value, value))
            else:
                shown = str(value)
            parts.append(f"{field.label}: {shown}")
        return ", ".join(parts)

    def count(self) -> int:
        """How many entries the filtered trail holds (one count per kind of record)."""
        branches = [self._branch(source, None) for source in self._sources()]
        return sum(b.count() for b in branches if not isinstance(b, EmptyQuerySet))

    def page(self, cursor: Cursor | None = None, size: int = PAGE_SIZE) -> tuple[list[Entry], Cursor | None]:
        rows = self.rows(cursor, size + 1)
        more = len(rows) > size
        rows = rows[:size]
        entries = entries_for(rows)
        next_cursor = None
        if more and rows:
            last = rows[-1]
            next_cursor = Cursor(last["e_at"], last["e_rank"], last["e_id"])
        return entries, next_cursor

    def iterate(self, chunk: int = 1000) -> Iterator[Entry]:
        """Every entry of the filtered trail, newest first, in keyset chunks (for the CSV export)."""
        cursor = None
        while True:
            rows = self.rows(cursor, chunk)
            if not rows:
                return
            yield from entries_for(rows)
            last = rows[-1]
            cursor = Cursor(last["e_at"], last["e_rank"], last["e_id"])
            if len(rows) < chunk:
                return


# ------------------------------------------------------------------------------------------
# From rows to entries with diffs
# ------------------------------------------------------------------------------------------
def _choice_labels(model, field_name: str) -> dict:
    """{value: label in the current language} of a choice field: made once per kind of record and
    page or chunk, not per row (Django's ``get_FOO_display`` rebuilds the choices at each call:
    a quarter of a whole-trail export, issue 16)."""
    return {value: str(label) for value, label in model._meta.get_field(field_name).flatchoices}


def _record_label(source: Source, row, labels: dict | None = None) -> str:
    if source.label_field:
        value = getattr(row, source.label_field)
        if labels is not None:
            return labels.get(value, str(value))
        return str(getattr(row, f"get_{source.label_field}_display")())
    return str(_as_it_was(row))  # the record's own name (``__str__``), never "… as of <time>"


def _as_it_was(row):
    """The record as the history row holds it, for its name. Not ``row.instance``: for a model with
    excluded fields (staff users: ``last_login``) simple-history reads them from the live record,
    one query per row (issue 16: 120 queries in 50,000 lines of the trail's CSV)."""
    return row.instance_type(**{field.attname: getattr(row, field.attname) for field in row.tracked_fields})


def _case_id(source: Source, row) -> int | None:
    if source.case == "id":
        return row.id
    if source.case:
        return getattr(row, source.case, None)
    return None


def entries_for(rows: list[dict]) -> list[Entry]:
    """Full entries for union rows: per kind of record, one query for its rows, one for their
    predecessors, one per many-to-many field; then one query per kind of linked record."""
    sources = _sources()
    by_source: dict[int, list[int]] = {}
    for row in rows:
        by_source.setdefault(row["e_rank"], []).append(row["e_id"])
    loaded: dict[tuple[int, int], object] = {}
    previous: dict[tuple[int, int], object] = {}
    m2m_by_rank: dict[int, dict] = {}
    names = Names()
    user_model = get_user_model()
    for row in rows:
        names.want(user_model, row["e_user"])
    case_ids: set[int] = set()

    for rank, ids in by_source.items():
        source = sources[rank]
        model = source.history_model()
        if source.key == ACCESS:
            for access in model.objects.filter(pk__in=ids):
                loaded[(rank, access.pk)] = access
                if access.request_id:
                    case_ids.add(access.request_id)
            continue
        before = (
            model.objects.filter(id=OuterRef("id"), history_date__lte=OuterRef("history_date"))
            .exclude(history_id=OuterRef("history_id"))
            .filter(Q(history_date__lt=OuterRef("history_date")) | Q(history_id__lt=OuterRef("history_id")))
        )
        history = list(
            model.objects.filter(history_id__in=ids).annotate(
                previous_id=Subquery(before.order_by("-history_date", "-history_id").values("history_id")[:1])
            )
        )
        olds = {
            old.history_id: old
            for old in model.objects.filter(history_id__in=[h.previous_id for h in history if h.previous_id])
        }
        fields = tracked_fields(model)
        m2m = {}
        if m2m_fields(model):
            m2m = m2m_values(model, [h.history_id for h in history] + list(olds))
            m2m_by_rank[rank] = m2m
        names.collect([*history, *olds.values()], fields, m2m_names_index(model, m2m))
        for row in history:
            loaded[(rank, row.history_id)] = row
            previous[(rank, row.history_id)] = olds.get(row.previous_id)
            case_id = _case_id(source, row)
            if case_id:
                case_ids.add(case_id)
    names.load()
    references = registry.scope().case_references(case_ids) if case_ids else {}

    entries = []
    choice_labels = {
        rank: _choice_labels(sources[rank].history_model(), sources[rank].label_field or "kind")
        for rank in by_source
        if sources[rank].label_field or sources[rank].key == ACCESS
    }
    for row in rows:
        rank = row["e_rank"]
        source = sources[rank]
        record = loaded.get((rank, row["e_id"]))
        if record is None:  # purged or deleted between the two queries
            continue
        if source.key == ACCESS:
            reference = references.get(record.request_id, "")
            kind = choice_labels[rank].get(record.kind, record.kind)
            entries.append(
                Entry(
                    when=record.at,
                    user_id=record.user_id,
                    user_label=names.get(user_model, record.user_id),
                    model_label=str(source.verbose_name),
                    object_id=record.request_id or 0,
                    object_label=reference or kind,
                    change_type=ACCESS_TYPE,
                    note=f"{kind} {record.path} ({record.ip_address or '—'})",
                    history_id=record.pk,
                    case_reference=reference,
                )
            )
            continue
        model = source.history_model()
        changes = diff(
            record,
            previous.get((rank, row["e_id"])),
            tracked_fields(model),
            names,
            m2m_by_rank.get(rank, {}),
            m2m_fields(model),
        )
        entries.append(
            Entry(
                when=record.history_date,
                user_id=record.history_user_id,
                user_label=names.get(user_model, record.history_user_id)
                if record.history_user_id
                else user_label(None),
                model_label=str(source.verbose_name),
                object_id=record.id,
                object_label=_record_label(source, record, choice_labels.get(rank)),
                change_type=record.history_type,
                operation=record.history_operation,
                note=record.history_change_reason or "",
                changes=changes,
                history_id=record.history_id,
                case_reference=references.get(_case_id(source, record), ""),
            )
        )
    return entries


# ------------------------------------------------------------------------------------------
# CSV
# ------------------------------------------------------------------------------------------
# The columns, in the reader's language (the export job runs in the language of the user who asked).
CSV_HEADER = [
    _("Date and time"),
    _("User"),
    _("Record type"),
    _("Record"),
    _("Case reference"),
    _("Change"),
    _("Operation"),
    _("Reason or note"),
    _("Field"),
    _("Before"),
    _("After"),
]


def csv_lines(trail: AuditTrail, progress=None) -> Iterator[str]:
    """The filtered trail as CSV, one line per field change (or one per entry without changes);
    formula-safe, with a BOM (``privacyops.csv_safe``). ``progress(entries_done)`` is called
    after each entry (the export job's progress)."""
    return csv_safe.csv_lines([str(label) for label in CSV_HEADER], _csv_rows(trail, progress))


def _csv_rows(trail: AuditTrail, progress=None) -> Iterator[list]:
    for done, entry in enumerate(trail.iterate(), start=1):
        if progress is not None:
            progress(done)
        base = [
            timezone.localtime(entry.when).isoformat(timespec="seconds"),
            entry.user_label,
            entry.model_label,
            entry.object_label,
            entry.case_reference,
            entry.change_type_label,
            entry.operation_label if entry.change_type != ACCESS_TYPE else "",
            entry.note,
        ]
        if entry.changes:
            for change in entry.changes:
                yield [*base, change.label, change.old, change.new]
        else:
            yield [*base, "", "", ""]
