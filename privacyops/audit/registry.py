"""Where apps plug into the audit trail (from their ``AppConfig.ready()``).

- ``register_sources(*sources)``: the history tables (and their scoping lookups) the trail reads;
- ``register_operations(choices)``: a ``TextChoices`` of operation codes and their labels;
- ``register_scope(scope)``: how a user's organizations and a case reference are resolved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.utils.translation import gettext_lazy as _

ACCESS = "access"


@dataclass(frozen=True)
class Source:
    """One kind of record in the trail: ``key`` (stable, in URLs), the tracked model
    ("app_label.Model"), the lookup from a row to its organization id (``org``) and to its case id
    (``case``; "id" for the case itself), and a choice field whose label names a record."""

    key: str
    model: str
    org: str | None
    case: str | None
    label_field: str | None = None

    def history_model(self):
        """The table the trail reads: the history model (the access log itself for ``ACCESS``).
        Resolved once per source: ``Model.history`` builds simple-history's manager class anew
        at each access, which cost 41 % of a whole-trail export when done per row (issue 16)."""
        return _history_model(self.model, self.key == ACCESS)

    @property
    def verbose_name(self):
        return apps.get_model(self.model)._meta.verbose_name


@dataclass(frozen=True)
class Scope:
    """How the trail scopes what a user reads (provided by the app that owns organizations).

    ``organization_ids(user)`` → frozenset of ids; ``organizations(ids)`` → queryset for the
    filter's choices; ``case_lookup(reference, ids)`` → {"request", "subject", "agent"} ids or
    None; ``case_references(ids)`` → {case id: reference}; ``colleagues(user)`` → the staff users
    ``user`` may see (those of their organizations; all for superusers).
    """

    organization_ids: Callable
    organizations: Callable
    case_lookup: Callable
    case_references: Callable
    colleagues: Callable


@cache
def _history_model(label: str, is_access: bool):
    model = apps.get_model(label)
    return model if is_access else model.history.model


_sources: list[Source] = []
_last: list[Source] = []
_operations: dict[str, object] = {}
_scope: list[Scope] = []


def register_sources(*sources: Source, last: bool = False) -> None:
    """Add history sources; their order is the trail's tie-breaker and the record-type order."""
    target = _last if last else _sources
    known = {s.key for s in _sources + _last}
    target.extend(s for s in sources if s.key not in known)


def sources() -> list[Source]:
    return [*_sources, *_last]


def register_operations(choices) -> None:
    """Register a ``TextChoices`` of operation codes; codes must be unique across apps."""
    for value, label in choices.choices:
        _operations[value] = label


def operation_choices() -> list[tuple[str, str]]:
    return sorted(_operations.items(), key=lambda pair: str(pair[1]))


def operation_label(code: str, change_type: str = "") -> str:
    """The operation's label in the reader's language; rows without a code (written before codes
    existed, or by Django itself) are named by their change type."""
    if code and code in _operations:
        return str(_operations[code])
    return str(CHANGE_TYPES.get(change_type, code or ""))


CHANGE_TYPES = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted"), "v": _("Viewed")}


def register_scope(scope: Scope) -> None:
    _scope[:] = [scope]


def scope() -> Scope:
    if not _scope:
        raise LookupError("no app registered the audit scope (registry.register_scope)")
    return _scope[0]
