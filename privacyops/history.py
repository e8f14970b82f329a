"""Timelines of history rows with field-level diffs, across models (SPEC §12).

Built on django-simple-history's rows; values are shown as a person reads them
(choice labels, names of staff users, dates), never as raw codes. No query per row: callers pass
querysets that select the history user, and foreign keys to staff users are resolved in one query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import formats
from django.utils.translation import gettext_lazy as _

# Bookkeeping fields that never mean anything to a reader.
IGNORED_FIELDS = frozenset({"id", "version", "intake_token", "updated_at", "created_at", "password", "last_login"})

CHANGE_TYPES = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}


@dataclass
class FieldChange:
    name: str
    label: str
    old: str
    new: str


@dataclass
class Entry:
    when: dt.datetime
    user_id: int | None
    user_label: str
    model_label: str
    object_id: int
    object_label: str
    change_type: str
    reason: str
    changes: list[FieldChange] = field(default_factory=list)
    history_id: int = 0
    case_reference: str = ""

    @property
    def change_type_label(self):
        return CHANGE_TYPES.get(self.change_type, self.change_type)


def user_label(user) -> str:
    if user is None:
        return str(_("system"))
    return user.get_full_name() or user.get_username()


def _tracked_fields(history_model) -> list[models.Field]:
    return [f for f in history_model.tracked_fields if f.name not in IGNORED_FIELDS]


def _display(model_field: models.Field, value, users: dict) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(model_field, models.ForeignKey):
        if model_field.related_model is get_user_model():
            return users.get(value, f"#{value}")
        return f"#{value}"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return str(_("yes") if value else _("no"))
    if isinstance(model_field, models.JSONField) and isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, dt.datetime | dt.date):
        return formats.date_format(value, "SHORT_DATETIME_FORMAT" if isinstance(value, dt.datetime) else "Y-m-d")
    return str(value)


def build_timeline(
    sources: Iterable[tuple[str, models.QuerySet, callable]],
) -> list[Entry]:
    """One newest-first timeline from ``(model label, history queryset, object label fn)`` sources.

    Each queryset should ``select_related("history_user")``. Diffs compare each row with the
    previous row of the same object; a creation shows the values it was created with.
    """
    rows_by_source = []
    user_ids: set[int] = set()
    for model_label, queryset, label_fn in sources:
        rows = list(queryset.order_by("id", "history_date", "history_id"))
        fields = _tracked_fields(queryset.model)
        for row in rows:
            for f in fields:
                if isinstance(f, models.ForeignKey) and f.related_model is get_user_model():
                    value = getattr(row, f.attname)
                    if value:
                        user_ids.add(value)
        rows_by_source.append((model_label, rows, fields, label_fn))
    users = {u.pk: user_label(u) for u in get_user_model().objects.filter(pk__in=user_ids)} if user_ids else {}

    entries: list[Entry] = []
    for model_label, rows, fields, label_fn in rows_by_source:
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
                    reason=row.history_change_reason or "",
                    changes=diff(row, previous, fields, users),
                    history_id=row.history_id,
                )
            )
            previous = row
    entries.sort(key=lambda e: (e.when, e.history_id), reverse=True)
    return entries


def diff(row, previous, fields, users: dict) -> list[FieldChange]:
    """Field changes of one history row against the previous row of the same record.

    A creation (or a row without predecessor) shows the values it was created with. Attributes are
    compared directly, not with ``diff_against()``: its ``model_to_dict()`` skips non-editable fields
    such as the due date, which readers need to see.
    """
    changes = []
    if row.history_type == "+" or previous is None:
        for f in fields:
            value = getattr(row, f.attname)
            if value not in (None, "", [], False):
                changes.append(FieldChange(f.name, str(f.verbose_name), "—", _display(f, value, users)))
    elif row.history_type == "~":
        for f in fields:
            old, new = getattr(previous, f.attname), getattr(row, f.attname)
            if old != new:
                changes.append(
                    FieldChange(f.name, str(f.verbose_name), _display(f, old, users), _display(f, new, users))
                )
    return changes
