"""Retention (SPEC §14): personal data of ended cases is erased after the organization's period.

What stays is the case skeleton: reference, dates, status, kinds, outcomes, who did what and
when. What goes is every personal value, in the live rows and in their history rows (``update``,
so no new history row repeats them), including the free-text notes of history rows (operation codes
stay). The purge itself
is recorded on the case's history.

A legal hold (issue 15) keeps a case, or a person with all their cases, from the purge while it is
open; the purge reports what it skipped (``requests_held_from_purge``).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from requests_app import document_files
from requests_app.deadlines import add_months
from requests_app.models import (
    ERASED,
    Agent,
    Approval,
    Complaint,
    ComplaintStatus,
    DataSubject,
    Decision,
    DocumentFile,
    FulfilmentTask,
    IdentityDocument,
    LegalHold,
    Letter,
    LetterEnclosure,
    Pause,
    Payment,
    Request,
    RequestItem,
    Response,
    Status,
    Verification,
)
from requests_app.pipeline import Op
from requests_app.services.common import (
    TransitionNotAllowed,
    _check_date,
    _check_text,
    _clean,
    _lock,
    _said,
    _save,
    _save_case,
    _today,
)

logger = logging.getLogger(__name__)

__all__ = [
    "complaint_purge",
    "complaints_due_for_purge",
    "complaints_held_from_purge",
    "hold_lift",
    "hold_place",
    "purge_expired",
    "request_purge",
    "requests_due_for_purge",
    "requests_held_from_purge",
]

ENDED_STATUSES = (Status.CLOSED, Status.WITHDRAWN, Status.REJECTED)

# Personal fields per model and what replaces them. Everything else is the skeleton and stays.
PERSONAL_FIELDS: dict[type, dict[str, object]] = {
    Request: {"notes": "", "end_reason": "", "channel_override_reason": "", "search_key": ""},
    DataSubject: {
        "family_name": ERASED,
        "given_name": "",
        "family_name_kana": "",
        "given_name_kana": "",
        "birth_date": None,
        "email": "",
        "phone": "",
        "postal_code": "",
        "address": "",
        "registered_postal_code": "",
        "registered_address": "",
        "member_id": "",
        "member_key": "",
        "name_key": "",
    },
    Agent: {
        "family_name": ERASED,
        "given_name": "",
        "family_name_kana": "",
        "given_name_kana": "",
        "relationship": "",
        "email": "",
        "phone": "",
        "postal_code": "",
        "address": "",
    },
    RequestItem: {"details": "", "correction_detail": "", "recipient": ""},
    IdentityDocument: {"description": ""},
    Payment: {"note": ""},
    Pause: {"note": ""},
    Verification: {"note": ""},
    Decision: {"reason_text": ERASED, "alternative_measure": "", "method_difference_reason": ""},
    Approval: {"comment": ""},
    Letter: {"addressee": ERASED, "title": ERASED, "body": ERASED},
    Response: {
        "addressee": ERASED,
        "email": "",
        "text_sent": ERASED,
        "attachments": "",
        "return_note": "",
        "method_override_reason": "",
    },
    FulfilmentTask: {"note": ""},
}
# A closed complaint past the period (issue 15): who complained and what they and we wrote go;
# kind, topic, dates, outcome, cause and measure (the register's skeleton) stay.
COMPLAINT_PERSONAL_FIELDS = {
    "complainant_name": ERASED,
    "complainant_contact": "",
    "summary": ERASED,
    "reply_text": ERASED,
    "approval_comment": "",
}


def _open_holds():
    return LegalHold.objects.filter(lifted_on__isnull=True)


def held(cases):
    """``cases`` that an open legal hold keeps: on the case itself, or on its person."""
    return cases.filter(
        Exists(_open_holds().filter(request=OuterRef("pk")))
        | Exists(_open_holds().filter(data_subject=OuterRef("data_subject_id")))
    )


def requests_due_for_purge(today: dt.date, *, include_held: bool = False):
    """Ended cases whose organization's retention period is over and that still hold personal data
    — without those an open legal hold keeps (``include_held`` to see them too)."""
    due = _past_retention(today)
    return due if include_held else due.exclude(pk__in=held(due).values("pk"))


def requests_held_from_purge(today: dt.date) -> list[tuple[Request, LegalHold]]:
    """The cases the purge would erase today but a legal hold keeps, each with its hold (the
    case's own, else its person's): what the purge reports as skipped."""
    kept = held(_past_retention(today)).values("pk")
    cases = list(Request.objects.filter(pk__in=kept).only("pk", "reference", "data_subject_id").order_by("pk"))
    holds = {}
    for hold in _open_holds().filter(
        Q(request__in=[c.pk for c in cases]) | Q(data_subject__in=[c.data_subject_id for c in cases])
    ):
        holds[("case", hold.request_id) if hold.request_id else ("person", hold.data_subject_id)] = hold
    return [(c, holds.get(("case", c.pk)) or holds.get(("person", c.data_subject_id))) for c in cases]


def _past_retention(today: dt.date):
    candidates = (
        Request.objects.filter(status__in=ENDED_STATUSES, purged_on__isnull=True, ended_on__isnull=False)
        .select_related("organization")
        .only("pk", "ended_on", "organization__retention_years")
        .order_by("ended_on", "pk")
    )
    # The period is per organization: at most a few distinct values, so one bound per period.
    periods = set(candidates.values_list("organization__retention_years", flat=True).distinct())
    bounds = Q(pk__in=[])
    for years in periods:
        bounds |= Q(organization__retention_years=years, ended_on__lte=add_months(today, -12 * years))
    return candidates.filter(bounds)


def _erase_history(model, filter_kwargs: dict, values: dict) -> None:
    """Blank the personal columns and the free-text notes of the history rows; operation codes,
    users and dates stay (they are the skeleton the audit needs). Columns the history does not
    keep (``Request.search_key``) are skipped."""
    kept = {field.name for field in model.history.model._meta.fields}
    values = {name: value for name, value in values.items() if name in kept}
    model.history.filter(**filter_kwargs).update(**values, history_change_reason="")


@transaction.atomic
def request_purge(*, case: Request, today: dt.date, actor=None) -> Request:
    """Erase one ended case's personal data everywhere, keeping its skeleton and an audit entry."""
    case = Request.objects.select_for_update(of=("self",)).select_related("data_subject", "agent").get(pk=case.pk)
    if case.status not in ENDED_STATUSES:
        raise ValueError(f"{case.reference} has not ended")
    if case.purged_on is not None:
        return case
    if held(Request.objects.filter(pk=case.pk)).exists():
        raise ValueError(f"{case.reference} is under a legal hold")
    on_case = {"request_id": case.pk}
    for model, values in PERSONAL_FIELDS.items():
        if model is Request:
            Request.objects.filter(pk=case.pk).update(**values)
            _erase_history(Request, {"id": case.pk}, values)
        elif model is DataSubject:
            DataSubject.objects.filter(pk=case.data_subject_id).update(**values)
            _erase_history(DataSubject, {"id": case.data_subject_id}, values)
        elif model is Agent:
            if case.agent_id:
                Agent.objects.filter(pk=case.agent_id).update(**values)
                _erase_history(Agent, {"id": case.agent_id}, values)
        else:
            model.objects.filter(**on_case).update(**values)
            _erase_history(model, on_case, values)

    # Files of copies never disposed of go too (a copy is normally disposed of long before).
    kept = list(DocumentFile.objects.filter(document__request=case, erased_at__isnull=True))
    DocumentFile.objects.filter(pk__in=[f.pk for f in kept]).update(
        erased_at=timezone.now(), erased_by=actor, storage_name=""
    )
    names = [f.storage_name for f in kept]
    # Files sent with letters (disclosed records) go too, and their names.
    # Also those of drafts discarded since (their history keeps the names).
    letter_ids = list(Letter.history.filter(request_id=case.pk).values_list("id", flat=True).distinct())
    enclosed = LetterEnclosure.objects.filter(letter_id__in=letter_ids)
    names += [name for name in enclosed.values_list("storage_name", flat=True) if name]
    enclosed.update(name=ERASED, storage_name="")
    _erase_history(LetterEnclosure, {"letter_id__in": letter_ids}, {"name": ERASED})
    transaction.on_commit(lambda: [document_files.erase(name) for name in names])

    case.refresh_from_db()
    case.purged_on = today
    _save(case, actor=actor, op=Op.PURGE)
    return case


def purge_expired(*, today: dt.date, dry_run: bool = False, actor=None) -> list[str]:
    """Purge every case and closed complaint due; each in its own transaction. Returns the
    references purged (or due): cases' references, then complaints' numbers (C-12)."""
    references = []
    for case, hold in requests_held_from_purge(today):  # said, every run, while the hold lasts
        logger.info("kept under a legal hold since %s: %s", hold.placed_on.isoformat(), case.reference)
    for case in requests_due_for_purge(today).iterator(chunk_size=500):
        case = Request.objects.only("pk", "reference").get(pk=case.pk)
        references.append(case.reference)
        if not dry_run:
            request_purge(case=case, today=today, actor=actor)
            logger.info("purged personal data of %s", case.reference)
    for complaint_id in complaints_held_from_purge(today):
        logger.info("kept under a legal hold on its case: complaint C-%s", complaint_id)
    for complaint_id in list(complaints_due_for_purge(today).values_list("pk", flat=True)):
        references.append(f"C-{complaint_id}")
        if not dry_run:
            complaint_purge(complaint=Complaint(pk=complaint_id), today=today, actor=actor)
            logger.info("purged personal data of complaint C-%s", complaint_id)
    return references


def _complaints_past_retention(today: dt.date):
    candidates = Complaint.objects.filter(
        status=ComplaintStatus.CLOSED, purged_on__isnull=True, closed_on__isnull=False
    ).order_by("closed_on", "pk")
    periods = set(candidates.values_list("organization__retention_years", flat=True).distinct())
    bounds = Q(pk__in=[])
    for years in periods:
        bounds |= Q(organization__retention_years=years, closed_on__lte=add_months(today, -12 * years))
    return candidates.filter(bounds)


def complaints_due_for_purge(today: dt.date):
    """Closed complaints whose organization's retention period (counted from the day they closed)
    is over and that still hold the complainant's details — not those about a case an open legal
    hold keeps (the case's own hold or its person's)."""
    return _complaints_past_retention(today).exclude(request__in=held(Request.objects.all()).values("pk"))


def complaints_held_from_purge(today: dt.date) -> list[int]:
    """The complaints the purge would erase today but keeps for a legal hold on their case: their
    numbers, for the purge to report."""
    held_cases = held(Request.objects.all()).values("pk")
    return list(_complaints_past_retention(today).filter(request__in=held_cases).values_list("pk", flat=True))


@transaction.atomic
def complaint_purge(*, complaint: Complaint, today: dt.date, actor=None) -> Complaint:
    """Erase one closed complaint's personal details, live and in its history; the purge is a
    history row of its own. Raises ``ValueError`` for an open complaint."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.status != ComplaintStatus.CLOSED:
        raise ValueError(f"C-{complaint.pk} is not closed")
    if complaint.purged_on is not None:
        return complaint
    Complaint.objects.filter(pk=complaint.pk).update(**COMPLAINT_PERSONAL_FIELDS)
    _erase_history(Complaint, {"id": complaint.pk}, COMPLAINT_PERSONAL_FIELDS)
    complaint.refresh_from_db()
    complaint.purged_on = today
    _save(complaint, actor=actor, op=Op.PURGE)
    return complaint


# ------------------------------------------------------------------------------------------
# Legal hold (issue 15)
# ------------------------------------------------------------------------------------------
def _check_hold_permission(actor, codename: str) -> None:
    if not actor.has_perm(f"requests_app.{codename}_legalhold"):
        raise TransitionNotAllowed(gettext("Only a desk manager places or lifts a legal hold."))


HOLD_SCOPES = ("case", "person")


def _open_hold(case: Request, scope: str):
    target = {"request": case} if scope == "case" else {"data_subject_id": case.data_subject_id}
    return LegalHold.objects.select_for_update().filter(lifted_on__isnull=True, **target).first()


@transaction.atomic
def hold_place(
    *, actor, case: Request, reason: str, scope: str = "case", on=None, expected_version: int | None = None
) -> LegalHold:
    """Keep ``case`` (``scope="case"``), or its person with all their cases and records of provision
    (``scope="person"``), from the retention purge: ``reason`` required (kept with the hold and in
    its history), ``on`` an Asia/Tokyo date (today by default). Raises ``TransitionNotAllowed``
    without the manager's permission or access, when the data is already erased or an open hold
    already covers it; ``ValidationError`` for the reason or the date."""
    _check_hold_permission(actor, "add")
    case = _lock(case, actor=actor, expected_version=expected_version)
    if scope not in HOLD_SCOPES:
        raise ValidationError({"scope": gettext("Choose the case or the person.")})
    reason = _said(reason)
    if not reason:
        raise ValidationError({"reason": gettext("Say why the records must be kept.")})
    _check_text(reason=reason)
    on = on or _today()
    _check_date(on, _("Hold date"), field="placed_on")
    if case.purged_on is not None:
        raise TransitionNotAllowed(gettext("This case's personal data was already erased: there is nothing to hold."))
    if _open_hold(case, scope) is not None:
        raise TransitionNotAllowed(gettext("An open legal hold already covers it."))
    target = {"request": case} if scope == "case" else {"data_subject_id": case.data_subject_id}
    hold = LegalHold(organization_id=case.organization_id, reason=reason, placed_on=on, placed_by=actor, **target)
    _clean(hold, exclude=["organization", "request", "data_subject", "placed_by", "lifted_by"])
    _save(hold, actor=actor, op=Op.HOLD, note=reason)
    _save_case(case, actor=actor, op=Op.HOLD, note=reason)
    return hold


@transaction.atomic
def hold_lift(
    *, actor, case: Request, reason: str, scope: str = "case", on=None, expected_version: int | None = None
) -> LegalHold:
    """End the open legal hold on ``case`` or on its person (``scope``): the dispute is over.
    ``reason`` required and kept; from its next run the purge erases what is past its retention.
    Raises ``TransitionNotAllowed`` without the permission or when no open hold covers it;
    ``ValidationError`` for the reason or the date."""
    _check_hold_permission(actor, "change")
    case = _lock(case, actor=actor, expected_version=expected_version)
    hold = _open_hold(case, scope)
    if hold is None:
        raise TransitionNotAllowed(gettext("No open legal hold covers it."))
    reason = _said(reason)
    if not reason:
        raise ValidationError({"reason": gettext("Say why the hold is lifted.")})
    _check_text(reason=reason)
    on = on or _today()
    _check_date(on, _("Lift date"), not_before=hold.placed_on, not_before_label=_("held since"), field="lifted_on")
    hold.lifted_on, hold.lifted_by, hold.lift_reason = on, actor, reason
    _save(hold, actor=actor, op=Op.LIFT_HOLD, note=reason)
    _save_case(case, actor=actor, op=Op.LIFT_HOLD, note=reason)
    return hold
