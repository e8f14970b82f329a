"""What every service shares: the errors, locking, saving with history, and input checks.

State derived from a case (fee, documents, clock) is read from ``requests_app.derived``; whether an
operation is allowed is asked of ``requests_app.pipeline``.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from requests_app import derived, document_files, selectors
from requests_app.models import Request
from requests_app.pipeline import Op, TransitionNotAllowed
from requests_app.validators import reject_individual_number

__all__ = ["DuplicateSubmission", "EditConflict", "TransitionNotAllowed"]


class EditConflict(TransitionNotAllowed):
    """Somebody else saved the case since the user loaded it."""


class DuplicateSubmission(TransitionNotAllowed):
    """The same intake form was submitted twice; ``request`` is the case it created."""

    def __init__(self, message, request):
        super().__init__(message)
        self.request = request


# ------------------------------------------------------------------------------------------
# Helpers: locking, saving with history, reasons
# ------------------------------------------------------------------------------------------
def _save(obj, *, actor, op: Op, note: str = "", **kwargs) -> None:
    """Save ``obj`` with one history row saying who (``actor``), which operation (``op``, a code
    translated when read) and the user's own words (``note``)."""
    obj._history_user = actor
    obj._history_operation = op
    obj._change_reason = (note or "").strip()
    obj.save(**kwargs)


def _save_quietly(obj) -> None:
    """Save ``obj`` without a history row, because the same operation saves it again before it
    ends (its one row is written then, as a creation if it was new)."""
    if obj.pk is None:
        obj._history_as_created = True
    obj.skip_history_when_saving = True
    try:
        obj.save()
    finally:
        del obj.skip_history_when_saving


def _save_case(case: Request, *, actor, op: Op, note: str = "") -> None:
    """Save the case (its version goes up: other users' forms become stale)."""
    case.version += 1
    _save(case, actor=actor, op=op, note=note)


def _today() -> dt.date:
    return timezone.localdate()


def _lock(case: Request | int, *, actor, expected_version: int | None = None) -> Request:
    """The case row, locked for this transaction, after the scope and version checks."""
    pk = case.pk if isinstance(case, Request) else case
    locked = (
        Request.objects.select_for_update(of=("self",)).select_related("policy", "organization", "agent").get(pk=pk)
    )
    _check_scope(actor, locked.organization_id)
    if expected_version is not None and locked.version != expected_version:
        raise EditConflict(
            gettext(
                "Another member of staff saved case %(reference)s after you opened it. Nothing was "
                "changed: reload the page to see their change, then try again."
            )
            % {"reference": locked.reference}
        )
    return locked


def _check_scope(actor, organization_id: int) -> None:
    if organization_id not in selectors.organization_ids_for(actor):
        raise TransitionNotAllowed(gettext("You have no access to this organization's cases."))


def _check_date(
    value: dt.date | None,
    label,
    *,
    not_before: dt.date | None = None,
    not_before_label=None,
    field: str | None = None,
) -> None:
    """Refuse a date in the future (Asia/Tokyo) or before ``not_before``: ``ValidationError``
    keyed by ``field`` when given, so the form shows it beside the field."""
    if value is None:
        return
    message = None
    if value > _today():
        message = gettext("%(field)s cannot be in the future (%(date)s).") % {
            "field": label,
            "date": value.isoformat(),
        }
    elif not_before is not None and value < not_before:
        message = gettext("%(field)s (%(date)s) cannot be before %(other)s (%(other_date)s).") % {
            "field": label,
            "date": value.isoformat(),
            "other": not_before_label,
            "other_date": not_before.isoformat(),
        }
    if message is not None:
        raise ValidationError({field: message} if field else message)


# What a reader does not see: spaces of any width, line and paragraph separators, format
# characters (zero-width, bidi marks, BOM), control characters.
_INVISIBLE = frozenset({"Zs", "Zl", "Zp", "Cf", "Cc"})


def _said(text: str | None) -> str:
    """``text`` trimmed, or "" when nothing in it would show (a zero-width space is not a reason):
    the one test of a required free text (reasons, notes, replies, causes, measures)."""
    text = (text or "").strip()
    return text if any(unicodedata.category(char) not in _INVISIBLE for char in text) else ""


def _check_text(**fields: str) -> None:
    errors = {}
    for name, value in fields.items():
        try:
            reject_individual_number(value or "")
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)


def _clean(obj, exclude: Iterable[str] = ()) -> None:
    """Field validation (choices, lengths, the Individual Number rule) before saving."""
    obj.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)


def _refresh_clock(case: Request) -> None:
    """Set the case's derived dates from its records (``derived``): ``complete_on``, ``due_on``,
    ``art39_on``, ``answered_on`` and ``form_disposal_due_on``."""
    case.complete_on, case.due_on = derived.clock_dates(case)
    case.art39_on = derived.art39_on(case)
    case.answered_on = derived.answered_on(case)
    case.form_disposal_due_on = derived.form_disposal_due_on(case)


class _file_kept_only_if_recorded:
    """Seal and store the files (``None``: no file) before the transaction (the database never
    names a missing file); erase them again if the recording fails. Gives the stored names, in
    order ("" for no file)."""

    def __init__(self, *files):
        self.files, self.stored = files, []

    def __enter__(self) -> list[str]:
        try:
            for file in self.files:
                self.stored.append(document_files.store(file) if file is not None else "")
        except BaseException:
            self._erase()
            raise
        return list(self.stored)

    def _erase(self) -> None:
        for name in self.stored:
            if name:
                document_files.erase(name)

    def __exit__(self, kind, error, trace):
        if kind is not None:
            self._erase()
        return False
