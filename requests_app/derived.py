"""State derived from a case, computed in one place (STYLE: derived state).

Everything here is a pure reading of a case and its records: the fee in yen, what verification
still lacks, whether the request is complete, the deadline clock and the days left, the letter's
recipient, what keeps a case from closing. Services, views, letters and reminders all read it;
nothing here writes. It imports only the models and the calendar (``import-linter`` checks).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from requests_app.deadlines import BusinessCalendar, DeadlineUnit, add_months
from requests_app.models import (
    ID_KINDS,
    NON_PHOTO_ID_KINDS,
    PHOTO_ID_KINDS,
    UNANSWERED_STATUSES,
    AgentType,
    DeskPolicy,
    DisposalRule,
    DocumentKind,
    Holder,
    ReplyTo,
    Request,
    Status,
    TaskStatus,
)

__all__ = [
    "DEFAULT_AGENT_PROOFS",
    "Clock",
    "FeeStatus",
    "clock_dates",
    "clock_for",
    "clock_periods",
    "close_blockers",
    "days_left",
    "deadline_rule",
    "fee_status",
    "id_rule_text",
    "identity_in_hand_on",
    "identity_missing",
    "recipient",
]


# ------------------------------------------------------------------------------------------
# Fee (SPEC §7, Art. 38)
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FeeStatus:
    """The fee of a case in yen: due (sum over items), received, and the day it was paid in full."""

    due: int
    received: int
    paid_in_full_on: dt.date | None

    @property
    def shortfall(self) -> int:
        return max(self.due - self.received, 0)

    @property
    def paid_in_full(self) -> bool:
        return self.received >= self.due


def fee_status(case: Request) -> FeeStatus:
    """The case's fee from its items and payments (prefetch ``items`` and ``payments`` for lists)."""
    due = sum(item.fee_due for item in case.items.all())
    received, full_on = 0, None
    for payment in sorted(case.payments.all(), key=lambda p: (p.received_on, p.pk or 0)):
        received += payment.amount
        if full_on is None and received >= due:
            full_on = payment.received_on
    if due == 0:
        full_on = None
    return FeeStatus(due=due, received=received, paid_in_full_on=full_on)


# ------------------------------------------------------------------------------------------
# Identity and authority documents (SPEC §6)
# ------------------------------------------------------------------------------------------
# Where a policy says nothing about an agent type's proofs, SPEC §6 applies.
DEFAULT_AGENT_PROOFS: dict[str, list[tuple[str, list[str]]]] = {
    AgentType.MINOR_LEGAL_REPRESENTATIVE: [
        (
            _("Proof of legal representation (family register, resident register or insurance card)"),
            [
                DocumentKind.FAMILY_REGISTER_EXTRACT,
                DocumentKind.RESIDENT_REGISTER_COPY,
                DocumentKind.HEALTH_INSURANCE_CARD,
            ],
        )
    ],
    AgentType.ADULT_GUARDIAN: [
        (_("Guardianship registration certificate"), [DocumentKind.GUARDIANSHIP_CERTIFICATE]),
    ],
    AgentType.ENTRUSTED: [
        (_("Power of attorney"), [DocumentKind.POWER_OF_ATTORNEY]),
    ],
}


def identity_missing(case: Request, *, on: dt.date | None = None) -> list[str]:
    """What the recorded documents still lack for verification on ``on`` (Asia/Tokyo date, today
    by default), per the case's desk policy (SPEC §6): one sentence per missing piece, empty when
    nothing is missing."""
    policy: DeskPolicy = case.policy
    on = on or timezone.localdate()
    documents = list(case.documents.all())
    missing: list[str] = []
    accepted = set(policy.accepted_id_documents or ID_KINDS)

    def id_count(holder):
        held = [d for d in documents if d.holder == holder and d.kind in accepted]
        return (
            sum(1 for d in held if d.kind in PHOTO_ID_KINDS),
            sum(1 for d in held if d.kind in NON_PHOTO_ID_KINDS),
        )

    def enough(photo, non_photo):
        return (policy.photo_id_count and photo >= policy.photo_id_count) or (
            policy.non_photo_id_count and non_photo >= policy.non_photo_id_count
        )

    if case.agent_id is None:
        if policy.id_documents_required and not enough(*id_count(Holder.DATA_SUBJECT)):
            missing.append(gettext("Identity document of the data subject: %(rule)s") % {"rule": id_rule_text(policy)})
        return missing

    agent_type = case.agent.agent_type
    if not policy.agents_allowed:
        missing.append(gettext("This desk's policy does not accept requests from agents."))
    if not enough(*id_count(Holder.AGENT)):
        missing.append(gettext("The agent's own identity document: %(rule)s") % {"rule": id_rule_text(policy)})
    rules = [
        (rule.label, rule.document_kinds, rule.max_age_months)
        for rule in policy.agent_proof_rules.all()
        if rule.agent_type == agent_type
    ]
    if not rules:
        rules = [(str(label), kinds, None) for label, kinds in DEFAULT_AGENT_PROOFS[agent_type]]
    for label, kinds, max_age in rules:
        candidates = [d for d in documents if d.kind in kinds]
        if max_age:
            oldest = add_months(on, -max_age)
            fresh = [d for d in candidates if d.issued_on and d.issued_on >= oldest]
            if candidates and not fresh:
                missing.append(
                    gettext("%(proof)s issued within %(months)s months (the copy received is older or undated)")
                    % {"proof": label, "months": max_age}
                )
                continue
            candidates = fresh
        if not candidates:
            missing.append(gettext("Agent's proof: %(proof)s") % {"proof": label})
    return missing


def id_rule_text(policy: DeskPolicy) -> str:
    """The policy's identity rule in words ("1 with photo or 2 without photo")."""
    parts = []
    if policy.photo_id_count:
        parts.append(gettext("%(n)s with photo") % {"n": policy.photo_id_count})
    if policy.non_photo_id_count:
        parts.append(gettext("%(n)s without photo") % {"n": policy.non_photo_id_count})
    return gettext(" or ").join(parts)


def identity_in_hand_on(case: Request) -> dt.date | None:
    """The day the identity requirements were met, or None while something is missing."""
    needs_documents = case.agent_id is not None or case.policy.id_documents_required
    if not needs_documents:
        return case.form_received_on
    if identity_missing(case):
        return None
    return max((d.received_on for d in case.documents.all()), default=case.form_received_on)


# ------------------------------------------------------------------------------------------
# The clock (SPEC §5)
# ------------------------------------------------------------------------------------------
def clock_periods(case: Request) -> list[tuple[dt.date, dt.date | None]]:
    """The running periods of the deadline clock as (day 0, paused on or None): from the day the
    request was complete, around each pause. Empty while the clock has not started."""
    return _periods(case.complete_on, case.pauses.all())


def _periods(complete_on: dt.date | None, pauses) -> list[tuple[dt.date, dt.date | None]]:
    if complete_on is None:
        return []
    periods, start = [], complete_on
    for pause in sorted(pauses, key=lambda p: (p.started_on, p.pk or 0)):
        if pause.ended_on is not None and pause.ended_on <= start:
            continue  # over before the clock (re)started
        if pause.started_on < start:
            if pause.ended_on is None:
                return []  # complete, but still waiting: the clock has not started
            start = pause.ended_on
            continue
        periods.append((start, pause.started_on))
        if pause.ended_on is None:
            return periods
        start = pause.ended_on
    periods.append((start, None))
    return periods


def deadline_rule(case: Request) -> tuple[str, int]:
    """(unit, limit) in force for the case: the policy's (plus its extension once notified), or
    the organization's internal target in business days where the policy is silent."""
    policy = case.policy
    if policy.deadline_limit is None:
        return DeadlineUnit.BUSINESS_DAYS, case.organization.internal_target_business_days
    limit = policy.deadline_limit
    if case.extended_on and policy.extension_limit:
        limit += policy.extension_limit
    return policy.deadline_unit, limit


def clock_dates(case: Request) -> tuple[dt.date | None, dt.date | None]:
    """(complete_on, due_on) as they follow from the case's records now.

    ``complete_on`` is kept once set (day 0 does not move); it is set when form, identity
    documents and any fee are all in hand, on the latest of those days.
    """
    complete_on = case.complete_on
    if complete_on is None and case.form_received_on is not None:
        identity_on = identity_in_hand_on(case)
        fee = fee_status(case)
        if identity_on is not None and fee.paid_in_full:
            complete_on = max(d for d in (case.form_received_on, identity_on, fee.paid_in_full_on) if d)
    periods = _periods(complete_on, case.pauses.all())
    if not periods:
        return complete_on, None
    unit, limit = deadline_rule(case)
    return complete_on, BusinessCalendar.for_organization(case.organization).due_date(periods, limit, unit)


def days_left(calendar: BusinessCalendar, today: dt.date, due_on: dt.date | None) -> int | None:
    """Business days from ``today`` to ``due_on`` (0: due today; negative: overdue by that many).

    The one computation behind the list's colours, the case page, the dashboard and the digests.
    """
    if due_on is None:
        return None
    return calendar.business_days_between(today, due_on)


@dataclass
class Clock:
    """What the case page says about the deadline: due date, business days left (negative when
    overdue), its state ("running", "paused", "not_started", "ended"), business or calendar days
    counted so far, the limit and its unit, and whether the limit is the internal target."""

    due_on: dt.date | None
    days_left: int | None
    state: str
    counted: int
    limit: int
    unit: str
    internal_target: bool

    @property
    def overdue_by(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


def clock_for(case: Request, today: dt.date | None = None) -> Clock:
    """The case's clock as of ``today`` (Asia/Tokyo date, today by default)."""
    today = today or timezone.localdate()
    unit, limit = deadline_rule(case)
    periods = clock_periods(case)
    calendar = BusinessCalendar.for_organization(case.organization)
    counted = calendar.counted_days(periods, unit, until=today) if periods else 0
    if case.status not in UNANSWERED_STATUSES:
        state = "ended"
    elif case.status == Status.AWAITING_REQUESTER:
        state = "paused"
    elif not periods:
        state = "not_started"
    else:
        state = "running"
    left = days_left(calendar, today, case.due_on) if state != "ended" else None
    return Clock(case.due_on, left, state, counted, limit, unit, case.policy.deadline_limit is None)


# ------------------------------------------------------------------------------------------
# Letters and closing
# ------------------------------------------------------------------------------------------
def recipient(case: Request) -> tuple[str, str, str]:
    """(name, postal address block, e-mail) the reply goes to, per the case's reply rule.

    The address on the form is the requester's (the agent's, when an agent asked); the
    registered address is the data subject's as held in our records.
    """
    subject, agent = case.data_subject, case.agent
    if case.reply_to == ReplyTo.REGISTERED_ADDRESS:
        postal = subject.registered_postal_code or subject.postal_code
        address = subject.registered_address or subject.address
        return subject.full_name, _address(postal, address), subject.email
    if agent is not None:
        return agent.full_name, _address(agent.postal_code, agent.address), agent.email or subject.email
    return subject.full_name, _address(subject.postal_code, subject.address), subject.email


def _address(postal: str, address: str) -> str:
    return "\n".join(line for line in (f"〒{postal}" if postal else "", address) if line)


def close_blockers(case: Request) -> list[str]:
    """What still keeps a responded case from closing (SPEC §4, §10, §6): one sentence each."""
    blockers = []
    open_tasks = [t for t in case.tasks.all() if t.status == TaskStatus.OPEN]
    if open_tasks:
        blockers.append(gettext("%(n)s fulfilment task(s) still open.") % {"n": len(open_tasks)})
    if case.policy.id_copy_disposal in {DisposalRule.AT_VERIFICATION, DisposalRule.AT_CLOSE}:
        kept = [d for d in case.documents.all() if d.disposed_on is None]
        if kept:
            blockers.append(
                gettext("%(n)s identity document copy(ies) not yet disposed of, as the policy requires.")
                % {"n": len(kept)}
            )
    return blockers
