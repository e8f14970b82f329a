"""History rows as people read them (SPEC §12): field-level diffs across models, in timelines.

Built on django-simple-history's rows. Values are shown as a person reads them: choice labels,
linked records by name (staff by their names, cases by reference, others by their ``__str__``),
dates and times in Asia/Tokyo, many-to-many changes as what was added and removed. No query per
row: related names are resolved in one query per related model, many-to-many rows in one query
per field.

``stamp_operation`` (connected in ``AuditConfig.ready``) writes the operation code a service set
on the instance (``_history_operation``) into the row, and makes a row written at the end of an
operation that created the record a creation ("+").
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from privacyops.audit.registry import CHANGE_TYPES, operation_label

# Bookkeeping fields that never mean anything to a reader.
IGNORED_FIELDS = frozenset(
    {
        *("id", "version", "intake_token", "updated_at", "created_at", "password", "last_login"),
        # Keys derived from fields the history shows (how names and numbers are compared): noise
        # in a diff, and an untranslated column name on the page (issue 16 user pass).
        *("name_key", "member_key", "search_key"),
    }
)


def stamp_operation(sender, instance, history_instance, **kwargs) -> None:
    """``pre_create_historical_record`` receiver: the operation code, and "+" for a record the
    same operation created earlier without a row (``_history_as_created``)."""
    history_instance.history_operation = getattr(instance, "_history_operation", "") or ""
    if getattr(instance, "_history_as_created", False):
        history_instance.history_type = "+"
        del instance._history_as_created


@dataclass
class FieldChange:
    name: str
    label: str
    old: str
    new: str


@dataclass
class Entry:
    """One row of a timeline: when, who, which record, which operation (code and label), the
    user's note, and the field changes."""

    when: dt.datetime
    user_id: int | None
    user_label: str
    model_label: str
    object_id: int
    object_label: str
    change_type: str
    operation: str = ""
    note: str = ""
    changes: list[FieldChange] = field(default_factory=list)
    history_id: int = 0
    case_reference: str = ""

    @property
    def change_type_label(self) -> str:
        return str(CHANGE_TYPES.get(self.change_type, self.change_type))

    @property
    def operation_label(self) -> str:
        return operation_label(self.operation, self.change_type)


def user_label(user) -> str:
    if user is None:
        return str(_("system"))
    return user.get_full_name() or user.get_username()


def tracked_fields(history_model) -> list[models.Field]:
    return [f for f in history_model.tracked_fields if f.name not in IGNORED_FIELDS]


def m2m_fields(history_model) -> list[models.Field]:
    return list(getattr(history_model, "_history_m2m_fields", []) or [])


# ------------------------------------------------------------------------------------------
# Names of linked records, resolved in bulk
# ------------------------------------------------------------------------------------------
class Names:
    """Display names of linked records, loaded in one query per related model."""

    def __init__(self):
        self.wanted: dict[type, set] = defaultdict(set)
        self.names: dict[tuple[type, object], str] = {}

    def want(self, model, pk) -> None:
        if pk not in (None, ""):
            self.wanted[model].add(pk)

    def collect(self, rows, fields, m2m_values: dict | None = None) -> None:
        for row in rows:
            for f in fields:
                if isinstance(f, models.ForeignKey):
                    self.want(f.related_model, getattr(row, f.attname))
        for (model, _history_id), values in (m2m_values or {}).items():
            for pk in values:
                self.want(model, pk)

    def load(self) -> None:
        user_model = get_user_model()
        for model, pks in self.wanted.items():
            pks = {pk for pk in pks if (model, pk) not in self.names}
            if not pks:
                continue
            found = model._default_manager.filter(pk__in=pks)
            # __str__ may follow a key: every key is joined, unless the model names what its name
            # needs (``history_name_related``, e.g. () for a case named by its reference: issue 16).
            related = getattr(model, "history_name_related", None)
            if related is None:
                found = found.select_related()
            elif related:
                found = found.select_related(*related)
            for obj in found:
                self.names[(model, obj.pk)] = user_label(obj) if model is user_model else record_label(obj)
        self.wanted.clear()

    def get(self, model, pk) -> str:
        return self.names.get((model, pk), f"#{pk}")


def record_label(obj) -> str:
    """How a linked record is named in a history: its ``history_label`` where the model has one
    (a person's name, for readers allowed to see the history), else ``str(obj)``."""
    label = getattr(obj, "history_label", None)
    return str(label) if label else str(obj)


def _display(model_field: models.Field, value, names: Names) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(model_field, models.ForeignKey):
        return names.get(model_field.related_model, value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return str(_("yes") if value else _("no"))
    if isinstance(model_field, models.JSONField) and isinstance(value, list):
        flat = dict(getattr(model_field, "base_field", model_field).flatchoices or ())
        return ", ".join(str(flat.get(v, v)) for v in value) or "—"
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "Y-m-d H:i")
    if isinstance(value, dt.date):
        return formats.date_format(value, "Y-m-d")
    if isinstance(value, int):
        return f"{value:,}"  # amounts in yen as every page writes them (1,000)
    return str(value)


# ------------------------------------------------------------------------------------------
# Many-to-many values per history row
# ------------------------------------------------------------------------------------------
def m2m_values(history_model, history_ids: Iterable[int]) -> dict[tuple[str, int], set]:
    """{(field name, history_id): set of related ids} for every m2m field of ``history_model``.

    One query per field. Keys are also indexed by related model for ``Names`` (see ``collect``).
    """
    found: dict[tuple[str, int], set] = {}
    ids = list(history_ids)
    if not ids:
        return found
    for m2m in m2m_fields(history_model):
        through = getattr(history_model, m2m.name).model  # simple-history's m2m history model
        target = m2m.m2m_reverse_field_name()  # the column naming the related record
        for history_id in ids:
            found[(m2m.name, history_id)] = set()
        for history_id, pk in through.objects.filter(history_id__in=ids).values_list("history_id", f"{target}_id"):
            found[(m2m.name, history_id)].add(pk)
    return found


def m2m_names_index(history_model, values: dict) -> dict:
    """``m2m_values`` re-keyed by (related model, history_id), as ``Names.collect`` takes them."""
    by_model: dict = {}
    for m2m in m2m_fields(history_model):
        for (name, history_id), pks in values.items():
            if name == m2m.name:
                by_model[(m2m.related_model, history_id)] = pks
    return by_model


# ------------------------------------------------------------------------------------------
# Diffs and timelines
# ------------------------------------------------------------------------------------------
def diff(row, previous, fields, names: Names, m2m: dict | None = None, m2m_list=()) -> list[FieldChange]:
    """Field changes of one history row against the previous row of the same record.

    A creation (or a row without predecessor) shows the values it was created with. Attributes are
    compared directly, not with ``diff_against()``: its ``model_to_dict()`` skips non-editable fields
    such as the due date, which readers need to see. Many-to-many fields show "+ added" and
    "− removed" by name.
    """
    changes = []
    created = row.history_type == "+" or previous is None
    if created:
        for f in fields:
            value = getattr(row, f.attname)
            if value not in (None, "", [], False):
                changes.append(FieldChange(f.name, str(f.verbose_name), "—", _display(f, value, names)))
    elif row.history_type == "~":
        for f in fields:
            old, new = getattr(previous, f.attname), getattr(row, f.attname)
            if old != new:
                old_text, new_text = _display(f, old, names), _display(f, new, names)
                changes.append(FieldChange(f.name, str(f.verbose_name), old_text, new_text))
    m2m = m2m or {}
    for m2m_field in m2m_list:
        new = m2m.get((m2m_field.name, row.history_id), set())
        old = set() if created else m2m.get((m2m_field.name, previous.history_id), set())
        added, removed = sorted(new - old), sorted(old - new)
        if not added and not removed:
            continue
        model = m2m_field.related_model
        old_text = ", ".join(f"− {names.get(model, pk)}" for pk in removed) or "—"
        new_text = ", ".join(f"+ {names.get(model, pk)}" for pk in added) or "—"
        changes.append(FieldChange(m2m_field.name, str(m2m_field.verbose_name), old_text, new_text))
    return changes


def build_timeline(
    sources: Iterable[tuple[str, models.QuerySet, callable]],
) -> list[Entry]:
    """One newest-first timeline from ``(model label, history queryset, object label fn)`` sources.

    Each queryset should ``select_related("history_user")``. Diffs compare each row with the
    previous row of the same object; a creation shows the values it was created with.
    """
    names = Names()
    loaded = []
    for model_label, queryset, label_fn in sources:
        rows = list(queryset.order_by("id", "history_date", "history_id"))
        fields = tracked_fields(queryset.model)
        m2m_list = m2m_fields(queryset.model)
        m2m = m2m_values(queryset.model, [r.history_id for r in rows]) if m2m_list else {}
        names.collect(rows, fields, m2m_names_index(queryset.model, m2m))
        loaded.append((model_label, rows, fields, label_fn, m2m, m2m_list))
    names.load()

    entries: list[Entry] = []
    for model_label, rows, fields, label_fn, m2m, m2m_list in loaded:
        previous = None
        for row in rows:
            if previous is not None and previous.id != row.id:
                previous = None
            entries.append(
                Entry(
                    when=row.history_date,
                    user_id=row.history_user_id,
                    user_label=user_label(row.history_user),
                    model_label=str(model_label),
                    object_id=row.id,
                    object_label=label_fn(row),
                    change_type=row.history_type,
                    operation=row.history_operation,
                    note=row.history_change_reason or "",
                    changes=diff(row, previous, fields, names, m2m, m2m_list),
                    history_id=row.history_id,
                )
            )
            previous = row
    entries.sort(key=lambda e: (e.when, e.history_id), reverse=True)
    return entries
