"""Complaints and consultations (苦情・相談): every write (issue 15).

The business must handle complaints about its handling of personal information appropriately and
promptly (APPI Art. 40-1) and keep a record of each, the reply approved by the manager
(JIS Q 15001:2023 A.3.6 / PrivacyMark). What may happen in each status is in the one operations
table of ``requests_app.pipeline`` (``Op.COMPLAINT_*``). Four eyes: the manager who approves a
reply did not draft it.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from requests_app import pipeline, selectors
from requests_app.deadlines import BusinessCalendar
from requests_app.models import Channel, Complaint, ComplaintKind, ComplaintOutcome, Organization, Request
from requests_app.pipeline import Op, TransitionNotAllowed
from requests_app.services.common import (
    DuplicateSubmission,
    EditConflict,
    _check_date,
    _check_scope,
    _clean,
    _said,
    _save,
    _today,
)

__all__ = [
    "DEFAULT_REPLY_BUSINESS_DAYS",
    "complaint_approve",
    "complaint_close",
    "complaint_draft_reply",
    "complaint_record_reply",
    "complaint_register",
    "complaint_return",
    "complaint_update",
]

# The reply is due this many business days after the complaint reached us, unless the desk sets
# another date or the organization has an internal target (``internal_target_business_days``).
DEFAULT_REPLY_BUSINESS_DAYS = 10
# Dates the register accepts: received in the last five years (the statistics' longest period), a
# reply due within a year of it.
OLDEST_DAYS = 5 * 366
LONGEST_DAYS = 366
# What the desk may edit while the complaint is open (the rest is written by the operations).
FACTS = (
    "kind",
    "received_on",
    "channel",
    "complainant_type",
    "complainant_name",
    "complainant_contact",
    "topic",
    "summary",
    "request",
    "reply_due_on",
    "assignee",
)


def default_reply_due_on(organization: Organization, received_on: dt.date) -> dt.date:
    """The reply's due date (Asia/Tokyo): ``received_on`` + the organization's internal target,
    else ``DEFAULT_REPLY_BUSINESS_DAYS``, in business days of its calendar."""
    days = organization.internal_target_business_days or DEFAULT_REPLY_BUSINESS_DAYS
    return BusinessCalendar.for_organization(organization).add_business_days(received_on, days)


def _lock(complaint: Complaint | int, *, actor, expected_version: int | None = None) -> Complaint:
    pk = complaint.pk if isinstance(complaint, Complaint) else complaint
    locked = Complaint.objects.select_for_update(of=("self",)).select_related("organization").get(pk=pk)
    _check_scope(actor, locked.organization_id)
    if expected_version is not None and locked.version != expected_version:
        raise EditConflict(
            gettext(
                "Another member of staff saved this complaint after you opened it. Nothing was changed: "
                "reload the page to see their change, then try again."
            )
        )
    return locked


def _move(complaint: Complaint, op: str, *, actor, note: str = "") -> None:
    """Check ``op`` against the table (status and permission), set its status, save with history."""
    pipeline.require(complaint, op, actor=actor)
    pipeline.move_complaint(complaint, op)
    complaint.version += 1
    _save(complaint, actor=actor, op=op, note=note)


def _check_facts(complaint: Complaint, actor) -> None:
    if complaint.request_id is not None:
        request = Request.objects.filter(pk=complaint.request_id).values("organization_id").first()
        if request is None or request["organization_id"] != complaint.organization_id:
            raise ValidationError({"request": gettext("Choose a request of the same organization.")})
    if (
        complaint.assignee_id is not None
        and not selectors.assignable_staff(actor=actor, organization=complaint.organization)
        .filter(pk=complaint.assignee_id)
        .exists()
    ):
        raise ValidationError({"assignee": gettext("Choose a member of this organization's desk.")})
    _check_date(complaint.received_on, _("Received on"), field="received_on")
    if complaint.received_on < _today() - dt.timedelta(days=OLDEST_DAYS):
        raise ValidationError(
            {"received_on": gettext("A complaint received more than five years ago cannot be registered.")}
        )
    if complaint.reply_due_on < complaint.received_on:
        raise ValidationError({"reply_due_on": gettext("The reply cannot be due before the complaint reached us.")})
    if complaint.reply_due_on > complaint.received_on + dt.timedelta(days=LONGEST_DAYS):
        raise ValidationError(
            {"reply_due_on": gettext("The reply cannot be due more than a year after it reached us.")}
        )
    _clean(complaint, exclude=["organization", "request", "assignee", "created_by", "drafted_by", "approved_by"])


@transaction.atomic
def complaint_register(
    *,
    actor,
    organization: Organization,
    reply_due_on: dt.date | None = None,
    intake_token: uuid.UUID | None = None,
    **facts,
) -> Complaint:
    """Record a complaint or consultation as it reached us. ``facts``: the fields in ``FACTS``
    (``request`` a case of the same organization, optional). ``reply_due_on`` defaults to
    ``default_reply_due_on``. Raises ``TransitionNotAllowed`` without the permission or access,
    ``ValidationError`` (keyed by field) for bad input, ``DuplicateSubmission`` (with the complaint
    as ``request``) when the form with ``intake_token`` was already registered."""
    pipeline.require_permission(actor, Op.COMPLAINT_REGISTER)
    _check_scope(actor, organization.pk)
    if intake_token is not None:
        existing = Complaint.objects.select_for_update().filter(intake_token=intake_token).first()
        if existing is not None and existing.created_by_id != actor.pk:
            # Not this user's form (a copied page): say the page is stale, name no complaint.
            raise ValidationError({"intake_token": gettext("This page is out of date: reload it and try again.")})
        if existing is not None:
            raise DuplicateSubmission(
                gettext("This form was already sent: complaint C-%(number)s is registered.") % {"number": existing.pk},
                existing,
            )
    unknown = set(facts) - set(FACTS)
    if unknown:
        raise TypeError(f"not a complaint fact: {sorted(unknown)}")
    complaint = Complaint(organization=organization, created_by=actor, intake_token=intake_token, **facts)
    if complaint.received_on is None:
        raise ValidationError({"received_on": gettext("Say when it reached us.")})
    _check_date(complaint.received_on, _("Received on"), field="received_on")  # before any date arithmetic
    complaint.reply_due_on = reply_due_on or default_reply_due_on(organization, complaint.received_on)
    _check_facts(complaint, actor)
    _save(complaint, actor=actor, op=Op.COMPLAINT_REGISTER, note=complaint.get_kind_display())
    return complaint


@transaction.atomic
def complaint_update(*, actor, complaint: Complaint, expected_version: int | None = None, **facts) -> Complaint:
    """Correct the facts of an open complaint (``FACTS``). Same errors as ``complaint_register``;
    ``EditConflict`` when someone saved it since ``expected_version``."""
    complaint = _lock(complaint, actor=actor, expected_version=expected_version)
    unknown = set(facts) - set(FACTS)
    if unknown:
        raise TypeError(f"not a complaint fact: {sorted(unknown)}")
    for name, value in facts.items():
        setattr(complaint, name, value)
    pipeline.require(complaint, Op.COMPLAINT_UPDATE, actor=actor)
    _check_facts(complaint, actor)
    _move(complaint, Op.COMPLAINT_UPDATE, actor=actor)
    return complaint


@transaction.atomic
def complaint_draft_reply(
    *, actor, complaint: Complaint, reply_text: str, expected_version: int | None = None
) -> Complaint:
    """The desk's draft of the reply, sent to a manager for approval (drafting again replaces it and
    the drafter). Raises ``ValidationError`` for an empty reply."""
    complaint = _lock(complaint, actor=actor, expected_version=expected_version)
    reply_text = _said(reply_text)
    if not reply_text:
        raise ValidationError({"reply_text": gettext("Write the reply.")})
    complaint.reply_text, complaint.drafted_by = reply_text, actor
    complaint.approved_by, complaint.approved_on, complaint.approval_comment = None, None, ""
    _clean(complaint, exclude=["organization", "request", "assignee", "created_by", "drafted_by", "approved_by"])
    _move(complaint, Op.COMPLAINT_DRAFT, actor=actor)
    return complaint


@transaction.atomic
def complaint_approve(
    *, actor, complaint: Complaint, comment: str = "", expected_version: int | None = None
) -> Complaint:
    """A manager approves the drafted reply. Four eyes: refused (``TransitionNotAllowed``) to the
    member of staff who drafted it (JIS Q 15001 A.3.6: the reply is the organization's answer)."""
    complaint = _lock(complaint, actor=actor, expected_version=expected_version)
    pipeline.require(complaint, Op.COMPLAINT_APPROVE, actor=actor)
    if actor.pk in selectors.complaint_drafters(complaint):
        raise TransitionNotAllowed(gettext("You drafted this reply: another manager must approve it (four eyes)."))
    complaint.approved_by, complaint.approved_on = actor, _today()
    complaint.approval_comment = (comment or "").strip()
    _clean(complaint, exclude=["organization", "request", "assignee", "created_by", "drafted_by", "approved_by"])
    _move(complaint, Op.COMPLAINT_APPROVE, actor=actor, note=complaint.approval_comment)
    return complaint


@transaction.atomic
def complaint_return(*, actor, complaint: Complaint, comment: str, expected_version: int | None = None) -> Complaint:
    """A manager sends the reply back for rework, saying why (the draft stays to be edited)."""
    complaint = _lock(complaint, actor=actor, expected_version=expected_version)
    comment = _said(comment)
    if not comment:
        raise ValidationError({"comment": gettext("Say what must change.")})
    complaint.approved_by, complaint.approved_on, complaint.approval_comment = None, None, comment
    _clean(complaint, exclude=["organization", "request", "assignee", "created_by", "drafted_by", "approved_by"])
    _move(complaint, Op.COMPLAINT_RETURN, actor=actor, note=comment)
    return complaint


@transaction.atomic
def complaint_record_reply(
    *, actor, complaint: Complaint, replied_on: dt.date, method: str, expected_version: int | None = None
) -> Complaint:
    """The approved reply went to the complainant on ``replied_on`` (Asia/Tokyo, not before the
    approval nor in the future) by ``method`` (a ``Channel``)."""
    complaint = _lock(complaint, actor=actor, expected_version=expected_version)
    pipeline.require(complaint, Op.COMPLAINT_REPLY, actor=actor)
    if method not in Channel.values:
        raise ValidationError({"method": gettext("Choose how the reply was sent.")})
    _check_date(
        replied_on,
        _("Replied on"),
        not_before=complaint.approved_on,
        not_before_label=_("reply approved on"),
        field="replied_on",
    )
    complaint.replied_on, complaint.reply_method = replied_on, method
    _move(complaint, Op.COMPLAINT_REPLY, actor=actor)
    return complaint


@transaction.atomic
def complaint_close(
    *, actor, complaint: Complaint, outcome: str, cause: str = "", measure: str = "", expected_version=None
) -> Complaint:
    """Close a replied complaint with its outcome; a complaint (not a consultation) also records
    its cause and the measure taken to prevent it again (JIS Q 15001 A.3.6, A.3.8 corrective
    action). Raises ``ValidationError`` keyed by field."""
    complaint = _lock(complaint, actor=actor, expected_version=expected_version)
    pipeline.require(complaint, Op.COMPLAINT_CLOSE, actor=actor)
    errors = {}
    if outcome not in ComplaintOutcome.values:
        errors["outcome"] = gettext("Choose the outcome.")
    cause, measure = _said(cause), _said(measure)
    if complaint.kind == ComplaintKind.COMPLAINT:
        if not cause:
            errors["cause"] = gettext("Say what caused the complaint.")
        if not measure:
            errors["measure"] = gettext("Say what was done so that it does not happen again (or why nothing).")
    if errors:
        raise ValidationError(errors)
    complaint.outcome, complaint.cause, complaint.measure = outcome, cause, measure
    complaint.closed_on = _today()
    _clean(complaint, exclude=["organization", "request", "assignee", "created_by", "drafted_by", "approved_by"])
    _move(complaint, Op.COMPLAINT_CLOSE, actor=actor, note=complaint.get_outcome_display())
    return complaint
