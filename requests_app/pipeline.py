"""The status pipeline and the operations table (SPEC §4): what a case may do next, in one place.

A newcomer looking for "where is X allowed" reads ``OPERATIONS`` below: for each operation a desk
user can run, the states it is allowed from, the states it may lead to and the permission it
needs. Services call ``require(case, op, actor=...)`` before writing; the case page's buttons,
the action views and the templates ask ``allowed(case, op, ...)``. No other module holds a set of
statuses that decides what may happen (``models`` only says which states are open).

``TRANSITIONS`` is the state graph itself; ``move()`` is the one way a status changes, and it
checks both the graph and the operation's own targets. ``awaiting_requester`` returns to the
state it was entered from, kept on the open pause (``Pause.from_status``).

Operation codes (``Op``) are also what the audit history stores for each change (labels are
translated when read).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from requests_app import derived, letters
from requests_app.models import (
    OPEN_STATUSES,
    ComplaintStatus,
    DeliveryState,
    LetterKind,
    Request,
    Status,
    TaskStatus,
)


class TransitionNotAllowed(Exception):
    """A guard refused the operation. ``str(error)`` is the message for the user."""


class Op(models.TextChoices):
    """Every operation on a case, as stored in the audit history (``history_operation``)."""

    REGISTER = "register", _("Registered")
    UPDATE = "update", _("Case details edited")
    UPDATE_PEOPLE = "update_people", _("Personal details corrected")
    RECORD_DOCUMENT = "record_document", _("Document received")
    RECORD_FORM = "record_form", _("Request form received")
    DISPOSE_DOCUMENTS = "dispose_documents", _("Document copy disposed of")
    ATTACH_FILE = "attach_file", _("Document file attached")
    DISPOSE_FORM = "dispose_form", _("Request form disposed of")
    RECORD_PAYMENT = "record_payment", _("Fee received")
    PAUSE = "pause", _("Waiting for the requester")
    RESUME = "resume", _("Requester answered")
    START_VERIFICATION = "start_verification", _("Verification started")
    VERIFY = "verify", _("Verification")
    DECIDE = "decide", _("Decided")
    SUBMIT_DECISIONS = "submit_decisions", _("Decisions submitted")
    APPROVE = "approve", _("Approved")
    RETURN = "return", _("Returned for rework")
    DRAFT_LETTER = "draft_letter", _("Letter drafted")
    EDIT_LETTER = "edit_letter", _("Letter edited")
    DISCARD_LETTER = "discard_letter", _("Draft letter discarded")
    SEND_LETTER = "send_letter", _("Letter sent")
    OUTBOX = "outbox", _("E-mail recorded before sending")
    SEND_FAILED = "send_failed", _("E-mail not sent")
    CHECK_SENDING = "check_sending", _("Interrupted e-mail checked")
    RECORD_RETURN = "record_return", _("Letter returned")
    REVOKE_LINK = "revoke_link", _("Download link revoked")
    COMPLETE_TASK = "complete_task", _("Fulfilment task done")
    EXTEND = "extend", _("Deadline extended")
    CLOSE = "close", _("Closed")
    WITHDRAW = "withdraw", _("Withdrawn")
    WITHDRAW_NO_ANSWER = "withdraw_no_answer", _("Withdrawn: no answer from the requester")
    REJECT = "reject", _("Rejected")
    PURGE = "purge", _("Personal data erased: retention period over")
    HOLD = "hold", _("Legal hold placed")
    LIFT_HOLD = "lift_hold", _("Legal hold lifted")
    # Complaints and consultations (issue 15): their own records, in the same table.
    COMPLAINT_REGISTER = "complaint_register", _("Complaint or consultation registered")
    COMPLAINT_UPDATE = "complaint_update", _("Complaint details edited")
    COMPLAINT_DRAFT = "complaint_draft", _("Reply drafted")
    COMPLAINT_APPROVE = "complaint_approve", _("Reply approved by a manager")
    COMPLAINT_RETURN = "complaint_return", _("Reply returned for rework")
    COMPLAINT_REPLY = "complaint_reply", _("Reply sent")
    COMPLAINT_CLOSE = "complaint_close", _("Complaint closed")


# The state graph. ``awaiting_requester`` returns to the state it was entered from.
TRANSITIONS: dict[str, frozenset[str]] = {
    # received/verifying → responding: every item resolved by self-service (no verification needed).
    Status.RECEIVED: frozenset(
        {Status.VERIFYING, Status.RESPONDING, Status.AWAITING_REQUESTER, Status.WITHDRAWN, Status.REJECTED}
    ),
    Status.VERIFYING: frozenset(
        {Status.IN_PROGRESS, Status.RESPONDING, Status.AWAITING_REQUESTER, Status.WITHDRAWN, Status.REJECTED}
    ),
    Status.IN_PROGRESS: frozenset(
        {Status.AWAITING_APPROVAL, Status.RESPONDING, Status.AWAITING_REQUESTER, Status.WITHDRAWN, Status.REJECTED}
    ),
    Status.AWAITING_APPROVAL: frozenset({Status.RESPONDING, Status.IN_PROGRESS, Status.WITHDRAWN}),
    Status.RESPONDING: frozenset({Status.RESPONDED, Status.WITHDRAWN}),
    Status.RESPONDED: frozenset({Status.CLOSED}),
    Status.AWAITING_REQUESTER: frozenset(
        {Status.RECEIVED, Status.VERIFYING, Status.IN_PROGRESS, Status.WITHDRAWN, Status.REJECTED}
    ),
    Status.CLOSED: frozenset(),
    Status.WITHDRAWN: frozenset(),
    Status.REJECTED: frozenset(),
}

# A complaint's own graph (issue 15): the reply's road; drafting again replaces the draft, and a
# manager may send a drafted or approved reply back to the desk.
COMPLAINT_TRANSITIONS: dict[str, frozenset[str]] = {
    ComplaintStatus.RECEIVED: frozenset({ComplaintStatus.AWAITING_APPROVAL}),
    ComplaintStatus.AWAITING_APPROVAL: frozenset(
        {ComplaintStatus.AWAITING_APPROVAL, ComplaintStatus.APPROVED, ComplaintStatus.RECEIVED}
    ),
    ComplaintStatus.APPROVED: frozenset({ComplaintStatus.REPLIED, ComplaintStatus.RECEIVED}),
    ComplaintStatus.REPLIED: frozenset({ComplaintStatus.CLOSED}),
    ComplaintStatus.CLOSED: frozenset(),
}

CHANGE = "requests_app.change_request"
ADD = "requests_app.add_request"
APPROVE = "requests_app.approve_decision"
HOLD = "requests_app.add_legalhold"
LIFT = "requests_app.change_legalhold"
COMPLAINT_ADD = "requests_app.add_complaint"
COMPLAINT_CHANGE = "requests_app.change_complaint"
COMPLAINT_APPROVE = "requests_app.approve_complaint_reply"

_ALL = frozenset(Status)
# Before the decision: documents, fees and questions to the requester may still be recorded.
_RECORDING = frozenset({Status.RECEIVED, Status.VERIFYING, Status.AWAITING_REQUESTER, Status.IN_PROGRESS})
_BEFORE_ANSWER = OPEN_STATUSES - {Status.RESPONDED}
_BEFORE_VERIFIED = frozenset({Status.RECEIVED, Status.VERIFYING})

# In which states a letter of each kind may be drafted, edited and sent.
LETTER_KIND_STATES: dict[str, frozenset[str]] = {
    LetterKind.ACKNOWLEDGEMENT: _BEFORE_ANSWER,
    LetterKind.REQUEST_MISSING: frozenset({Status.AWAITING_REQUESTER}),
    LetterKind.RESULT: frozenset({Status.RESPONDING}),
    LetterKind.REJECTION: frozenset({Status.REJECTED}),
    LetterKind.WITHDRAWAL: frozenset({Status.WITHDRAWN}),
    LetterKind.EXTENSION: _BEFORE_ANSWER,
    # The form (and what to enclose) sent to someone who asked by phone, until the form is back.
    LetterKind.REQUEST_FORM: frozenset({Status.RECEIVED, Status.AWAITING_REQUESTER}),
}


def _letter_open(case, letter) -> bool:
    leaving = derived.letters_in_outbox(case)
    if letter is not None:
        return not letter.is_sent and letter.pk not in leaving and case.status in LETTER_KIND_STATES[letter.kind]
    return any(
        not x.is_sent and x.pk not in leaving and case.status in LETTER_KIND_STATES[x.kind] for x in case.letters.all()
    )


def _file_missing(document) -> bool:
    return document.disposed_on is None and not hasattr(document, "file")


def _link_open(response) -> bool:
    link = getattr(response, "link", None)  # a response sent otherwise has none
    return link is not None and link.is_open(timezone.now())


def _can_extend(case, target) -> bool:
    policy = case.policy
    return (
        bool(policy.extension_limit)
        and policy.deadline_limit is not None
        and case.extended_on is None
        and case.due_on is not None
    )


def _draftable(case, kind) -> bool:
    if kind == LetterKind.REQUEST_FORM and case.form_received_on is not None:
        return False
    if kind is not None:
        return case.status in LETTER_KIND_STATES[kind] and (kind != LetterKind.EXTENSION or bool(case.extended_on))
    return any(_draftable(case, k) for k in LetterKind)


@dataclass(frozen=True)
class Operation:
    """One row of the table: ``op`` is allowed from ``from_states`` and may lead to ``to_states``
    (empty: the status stays) for a user holding ``permission``. ``applies(case, target)`` is the
    further condition for offering it at all (a fee still short, an open task, …): buttons and
    action pages ask it; the service gives its own, more precise message."""

    op: Op
    from_states: frozenset[str]
    to_states: frozenset[str] = frozenset()
    permission: str = CHANGE
    applies: Callable[[Request, object], bool] | None = None
    # What the user is told when ``applies`` says no (the status and the permission have their own).
    unmet: str = ""


OPERATIONS: dict[str, Operation] = {
    row.op: row
    for row in [
        Operation(Op.REGISTER, frozenset(), frozenset({Status.RECEIVED}), ADD),
        Operation(Op.UPDATE, OPEN_STATUSES),
        Operation(Op.UPDATE_PEOPLE, OPEN_STATUSES),
        Operation(Op.RECORD_DOCUMENT, _RECORDING),
        # The form sent after a phone call comes back (with the documents enclosed).
        Operation(
            Op.RECORD_FORM,
            _RECORDING,
            applies=lambda case, target: case.form_received_on is None,
            unmet=_("The request form is already recorded as received."),
        ),
        Operation(
            Op.DISPOSE_DOCUMENTS,
            _ALL,
            applies=lambda case, doc: (
                doc.disposed_on is None if doc is not None else any(d.disposed_on is None for d in case.documents.all())
            ),
        ),
        # The scanned or e-mailed copy, attached to a document recorded without it.
        Operation(
            Op.ATTACH_FILE,
            OPEN_STATUSES,
            applies=lambda case, doc: (
                _file_missing(doc) if doc is not None else any(_file_missing(d) for d in case.documents.all())
            ),
            unmet=_("This copy already has its file, or it was disposed of."),
        ),
        Operation(
            Op.DISPOSE_FORM,
            frozenset({Status.CLOSED, Status.WITHDRAWN, Status.REJECTED}),
            applies=lambda case, target: case.form_received_on is not None and case.form_disposed_on is None,
            unmet=_("There is no request form kept for this case."),
        ),
        Operation(
            Op.RECORD_PAYMENT,
            _RECORDING | {Status.AWAITING_APPROVAL},
            # A payment that settles the fee the requester was asked for resumes the case.
            frozenset({Status.RECEIVED, Status.VERIFYING, Status.IN_PROGRESS}),
            applies=lambda case, target: derived.fee_status(case).shortfall > 0,
        ),
        Operation(
            Op.PAUSE, frozenset({Status.RECEIVED, Status.VERIFYING, Status.IN_PROGRESS}), {Status.AWAITING_REQUESTER}
        ),
        Operation(
            Op.RESUME, frozenset({Status.AWAITING_REQUESTER}), {Status.RECEIVED, Status.VERIFYING, Status.IN_PROGRESS}
        ),
        Operation(Op.START_VERIFICATION, frozenset({Status.RECEIVED}), frozenset({Status.VERIFYING})),
        # From "received" too: the one form on the case page starts and records the verification.
        Operation(
            Op.VERIFY,
            frozenset({Status.RECEIVED, Status.VERIFYING}),
            frozenset({Status.IN_PROGRESS, Status.REJECTED, Status.AWAITING_REQUESTER}),
        ),
        # Before verification only "resolved by self-service" may be decided, where the policy's
        # self-service covers the kind; such a case goes to responding without a verification.
        Operation(
            Op.DECIDE,
            _BEFORE_VERIFIED | {Status.IN_PROGRESS},
            applies=lambda case, item: case.status == Status.IN_PROGRESS or derived.self_service_offered(case),
            unmet=_(
                "Verify the requester's identity first: before that, only “resolved by self-service” can be given."
            ),
        ),
        Operation(
            Op.SUBMIT_DECISIONS,
            _BEFORE_VERIFIED | {Status.IN_PROGRESS},
            frozenset({Status.AWAITING_APPROVAL, Status.RESPONDING}),
            applies=lambda case, target: case.status == Status.IN_PROGRESS or derived.self_service_only(case),
            unmet=_("Verify the requester's identity first: only a case resolved wholly by self-service goes without."),
        ),
        Operation(Op.APPROVE, frozenset({Status.AWAITING_APPROVAL}), frozenset({Status.RESPONDING}), APPROVE),
        Operation(Op.RETURN, frozenset({Status.AWAITING_APPROVAL}), frozenset({Status.IN_PROGRESS}), APPROVE),
        Operation(
            Op.DRAFT_LETTER,
            frozenset().union(*LETTER_KIND_STATES.values()),
            applies=lambda case, kind: _draftable(case, kind),
        ),
        Operation(Op.EDIT_LETTER, frozenset().union(*LETTER_KIND_STATES.values()), applies=_letter_open),
        # An unsent draft no longer wanted (drafted twice, or the situation changed). Its history stays.
        Operation(
            Op.DISCARD_LETTER,
            frozenset().union(*LETTER_KIND_STATES.values()),
            applies=_letter_open,
            unmet=_("This letter was sent, or its e-mail is on its way: it cannot be discarded."),
        ),
        Operation(
            Op.SEND_LETTER,
            frozenset().union(*LETTER_KIND_STATES.values()),
            frozenset({Status.RESPONDED}),
            # A draft with a blank still to fill in is not offered for sending (the service refuses it).
            applies=lambda case, letter: (
                _letter_open(case, letter) and (letter is None or not letters.unfilled(letter))
            ),
            unmet=_("This letter is sent, or still has a part to fill in (〔要記入…〕): edit it first."),
        ),
        # An e-mail left "sending — check" by an interrupted send: staff say whether it left.
        Operation(
            Op.CHECK_SENDING,
            frozenset().union(*LETTER_KIND_STATES.values()),
            frozenset({Status.RESPONDED}),
            applies=lambda case, response: (
                derived.sending_interrupted(response, timezone.now())
                if response is not None
                else any(derived.sending_interrupted(r, timezone.now()) for r in case.responses.all())
            ),
            unmet=_("This e-mail may still be on its way: check it when a minute has passed since it was recorded."),
        ),
        Operation(
            Op.RECORD_RETURN,
            _ALL - {Status.CLOSED},
            applies=lambda case, response: (
                response.returned_on is None and response.state == DeliveryState.SENT
                if response is not None
                else any(r.returned_on is None and r.state == DeliveryState.SENT for r in case.responses.all())
            ),
        ),
        # A result sent by download link: the link is closed before it expires (wrong address, …).
        Operation(
            Op.REVOKE_LINK,
            _ALL,
            applies=lambda case, response: (
                _link_open(response) if response is not None else any(_link_open(r) for r in case.responses.all())
            ),
            unmet=_("This download link has expired or was revoked already."),
        ),
        # Legal hold (issue 15): managers keep a case, or its person, from the retention purge.
        Operation(
            Op.HOLD,
            _ALL,
            permission=HOLD,
            applies=lambda case, target: case.purged_on is None and len(derived.open_holds(case)) < 2,
            unmet=_("An open legal hold already covers the case and its person."),
        ),
        Operation(
            Op.LIFT_HOLD,
            _ALL,
            permission=LIFT,
            applies=lambda case, target: bool(derived.open_holds(case)),
            unmet=_("No open legal hold covers this case."),
        ),
        Operation(
            Op.COMPLETE_TASK,
            frozenset({Status.RESPONDING, Status.RESPONDED}),
            applies=lambda case, task: (
                task.status == TaskStatus.OPEN
                if task is not None
                else any(t.status == TaskStatus.OPEN for t in case.tasks.all())
            ),
        ),
        Operation(Op.EXTEND, LETTER_KIND_STATES[LetterKind.EXTENSION], applies=_can_extend),
        Operation(Op.CLOSE, frozenset({Status.RESPONDED}), frozenset({Status.CLOSED})),
        Operation(
            Op.WITHDRAW,
            frozenset(s for s, targets in TRANSITIONS.items() if Status.WITHDRAWN in targets),
            frozenset({Status.WITHDRAWN}),
        ),
        # Abandoned (issue 15): the requester left the desk's question unanswered past the policy's limit.
        Operation(
            Op.WITHDRAW_NO_ANSWER,
            frozenset({Status.AWAITING_REQUESTER}),
            frozenset({Status.WITHDRAWN}),
            applies=lambda case, target: derived.withdrawal_proposed(case) is not None,
            unmet=_("The requester's time to answer is not over yet (the policy's limit)."),
        ),
        Operation(
            Op.REJECT,
            frozenset(s for s, targets in TRANSITIONS.items() if Status.REJECTED in targets),
            frozenset({Status.REJECTED}),
        ),
        # Complaints and consultations (a ``Complaint`` in place of the case; its own statuses).
        Operation(Op.COMPLAINT_REGISTER, frozenset(), frozenset({ComplaintStatus.RECEIVED}), COMPLAINT_ADD),
        # Facts are corrected before the reply is approved: what the manager approves is what
        # stands (after approval, a manager returns the reply first).
        Operation(
            Op.COMPLAINT_UPDATE,
            frozenset({ComplaintStatus.RECEIVED, ComplaintStatus.AWAITING_APPROVAL}),
            permission=COMPLAINT_CHANGE,
        ),
        # Drafting again while the reply waits for approval replaces the draft (and who drafted it).
        Operation(
            Op.COMPLAINT_DRAFT,
            frozenset({ComplaintStatus.RECEIVED, ComplaintStatus.AWAITING_APPROVAL}),
            frozenset({ComplaintStatus.AWAITING_APPROVAL}),
            COMPLAINT_CHANGE,
        ),
        Operation(
            Op.COMPLAINT_APPROVE,
            frozenset({ComplaintStatus.AWAITING_APPROVAL}),
            frozenset({ComplaintStatus.APPROVED}),
            COMPLAINT_APPROVE,
        ),
        Operation(
            Op.COMPLAINT_RETURN,
            frozenset({ComplaintStatus.AWAITING_APPROVAL, ComplaintStatus.APPROVED}),
            frozenset({ComplaintStatus.RECEIVED}),
            COMPLAINT_APPROVE,
        ),
        Operation(
            Op.COMPLAINT_REPLY,
            frozenset({ComplaintStatus.APPROVED}),
            frozenset({ComplaintStatus.REPLIED}),
            COMPLAINT_CHANGE,
        ),
        Operation(
            Op.COMPLAINT_CLOSE,
            frozenset({ComplaintStatus.REPLIED}),
            frozenset({ComplaintStatus.CLOSED}),
            COMPLAINT_CHANGE,
        ),
    ]
}


def _states(row: Operation, *, letter_kind: str | None) -> frozenset[str]:
    if letter_kind is not None and row.op in {Op.DRAFT_LETTER, Op.EDIT_LETTER, Op.SEND_LETTER, Op.DISCARD_LETTER}:
        return row.from_states & LETTER_KIND_STATES[letter_kind]
    return row.from_states


def allowed(case: Request, op: str, *, user=None, target=None) -> bool:
    """Whether ``op`` can be offered on ``case`` now (to ``user``, when given).

    ``target`` is the record the operation acts on where it has one: a letter (edit, send), a
    letter kind (draft), a task, a response, a document. Without it, any such record will do.
    """
    row = OPERATIONS[op]
    if user is not None and not user.has_perm(row.permission):
        return False
    kind = _letter_kind(row, target)
    if case.status not in _states(row, letter_kind=kind):
        return False
    return row.applies is None or bool(row.applies(case, target))


def why_not(case: Request, op: str, *, user=None, target=None) -> str:
    """The message for a user offered ``op`` when ``allowed`` says no: the permission, the status,
    or the operation's own condition (``Operation.unmet``)."""
    row = OPERATIONS[op]
    if user is not None and not user.has_perm(row.permission):
        return gettext("Your role does not allow “%(action)s”.") % {"action": row.op.label}
    if case.status not in _states(row, letter_kind=_letter_kind(row, target)) or not row.unmet:
        return gettext("“%(action)s” is not possible while the case is “%(status)s”.") % {
            "action": row.op.label,
            "status": case.get_status_display(),
        }
    return str(row.unmet)


def require_permission(actor, op: str) -> Operation:
    """Raise ``TransitionNotAllowed`` unless ``actor`` holds the permission ``op`` needs."""
    row = OPERATIONS[op]
    if not actor.has_perm(row.permission):
        raise TransitionNotAllowed(gettext("Your role does not allow “%(action)s”.") % {"action": row.op.label})
    return row


def require(case: Request, op: str, *, actor=None, target=None) -> Operation:
    """Raise ``TransitionNotAllowed`` unless ``op`` is allowed from the case's status (and for the
    letter kind of ``target``), and ``actor`` (when given) holds its permission."""
    row = require_permission(actor, op) if actor is not None else OPERATIONS[op]
    if case.status not in _states(row, letter_kind=_letter_kind(row, target)):
        message = (
            gettext("“%(action)s” is not possible while the complaint is “%(status)s”.")
            if op in COMPLAINT_OPS
            else gettext("“%(action)s” is not possible while the case is “%(status)s”.")
        )
        raise TransitionNotAllowed(message % {"action": row.op.label, "status": case.get_status_display()})
    return row


def _letter_kind(row: Operation, target) -> str | None:
    if row.op == Op.DRAFT_LETTER:
        return target
    if row.op in {Op.EDIT_LETTER, Op.SEND_LETTER, Op.DISCARD_LETTER} and target is not None:
        return target.kind
    return None


COMPLAINT_OPS = frozenset(
    {
        Op.COMPLAINT_REGISTER,
        Op.COMPLAINT_UPDATE,
        Op.COMPLAINT_DRAFT,
        Op.COMPLAINT_APPROVE,
        Op.COMPLAINT_RETURN,
        Op.COMPLAINT_REPLY,
        Op.COMPLAINT_CLOSE,
    }
)


def transitions_for(op: str) -> dict[str, frozenset[str]]:
    """The state graph ``op`` moves along: a complaint's or a case's."""
    return COMPLAINT_TRANSITIONS if op in COMPLAINT_OPS else TRANSITIONS


def move_complaint(complaint, op: str) -> None:
    """Set the complaint's status for ``op`` (its one target), along ``COMPLAINT_TRANSITIONS``;
    ``TransitionNotAllowed`` otherwise. Operations that keep the status leave it."""
    row = OPERATIONS[op]
    if not row.to_states:
        return
    (to_status,) = row.to_states
    if to_status not in COMPLAINT_TRANSITIONS[complaint.status]:
        raise TransitionNotAllowed(
            gettext("A complaint cannot go from “%(from)s” to “%(to)s”.")
            % {"from": complaint.get_status_display(), "to": ComplaintStatus(to_status).label}
        )
    complaint.status = to_status


def move(case: Request, op: str, to_status: str) -> None:
    """Set the case's status for ``op``: ``to_status`` must be one of the operation's targets and
    an edge of the state graph, else ``TransitionNotAllowed``."""
    row = OPERATIONS[op]
    if to_status not in row.to_states or to_status not in TRANSITIONS[case.status]:
        raise TransitionNotAllowed(
            gettext("A case cannot go from “%(from)s” to “%(to)s”.")
            % {"from": case.get_status_display(), "to": Status(to_status).label}
        )
    case.status = to_status
