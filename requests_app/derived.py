"""State derived from a case, computed in one place (STYLE: derived state).

Everything here is a pure reading of a case and its records: the fee in yen, what verification
still lacks, whether the request is complete, the deadline clock and the days left, the letter's
recipient, what keeps a case from closing. Services, views, letters and reminders all read it;
nothing here writes. It imports only the models and the calendar (``import-linter`` checks).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from requests_app.deadlines import BusinessCalendar, DeadlineUnit, add_months
from requests_app.models import (
    AGE_OF_MAJORITY,
    CERTIFICATE_KINDS,
    HEALTH_INSURANCE_CARD_LAST_VALID,
    ID_KINDS,
    NON_PHOTO_ID_KINDS,
    PHOTO_ID_KINDS,
    REFUSED_OUTCOMES,
    UNANSWERED_STATUSES,
    AgentType,
    ClockStart,
    DeliveryState,
    DeskPolicy,
    DisposalRule,
    DocumentKind,
    Holder,
    ItemKind,
    LegalHold,
    LetterKind,
    Outcome,
    ReplyTo,
    Request,
    Status,
    TaskStatus,
    VerificationOutcome,
)
from requests_app.validators import fold, search_key

__all__ = [
    "ART39_WAIT",
    "DEFAULT_AGENT_PROOFS",
    "Clock",
    "FeeStatus",
    "age_on",
    "art39_on",
    "case_search_key",
    "clock_dates",
    "clock_for",
    "clock_periods",
    "close_blockers",
    "copies_due_for_disposal",
    "days_left",
    "deadline_rule",
    "document_refusal",
    "fee_status",
    "form_disposal_due_on",
    "id_rule_text",
    "identity_in_hand_on",
    "identity_missing",
    "recipient",
    "search_words",
    "self_service_offered",
    "self_service_only",
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
# Where a policy says nothing about an agent type's proofs, SPEC §6 applies: (label, kinds, holder).
DEFAULT_AGENT_PROOFS: dict[str, list[tuple[str, list[str], str]]] = {
    AgentType.MINOR_LEGAL_REPRESENTATIVE: [
        (
            _("Proof of legal representation (family register, resident register or insurance document)"),
            [
                DocumentKind.FAMILY_REGISTER_EXTRACT,
                DocumentKind.RESIDENT_REGISTER_COPY,
                DocumentKind.HEALTH_INSURANCE_CARD,
                DocumentKind.ELIGIBILITY_CERTIFICATE,
            ],
            "",
        )
    ],
    AgentType.ADULT_GUARDIAN: [
        (_("Guardianship registration certificate"), [DocumentKind.GUARDIANSHIP_CERTIFICATE], ""),
    ],
    AgentType.ENTRUSTED: [
        (_("Power of attorney"), [DocumentKind.POWER_OF_ATTORNEY], ""),
    ],
}


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Full years of age on ``day`` (Act on Calculation of Age: one gets older at the end of the
    day before the birthday — for the age-of-majority test the birthday itself counts as reached)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def document_refusal(document, *, policy: DeskPolicy, reached_on: dt.date, on: dt.date, max_age=None) -> str:
    """Why ``document`` cannot count on ``on`` (SPEC §6), or "" when it can: expired; a
    health-insurance card for a request that reached us from 2025-12-01; a certificate older
    than the policy's (or the proof rule's) months, counted from its issue date to the day it
    was received."""
    label = document.get_kind_display()
    if document.valid_until is not None and document.valid_until < on:
        return gettext("%(document)s expired on %(date)s.") % {"document": label, "date": document.valid_until}
    if document.kind == DocumentKind.HEALTH_INSURANCE_CARD and reached_on > HEALTH_INSURANCE_CARD_LAST_VALID:
        return gettext(
            "%(document)s: no longer valid as identity after 2025-12-01 (the eligibility certificate replaced it)."
        ) % {"document": label}
    months = max_age or (policy.certificate_max_age_months if document.kind in CERTIFICATE_KINDS else None)
    if months:
        oldest = add_months(document.received_on, -months)
        if document.issued_on is None or document.issued_on < oldest:
            return gettext("%(document)s must be issued within %(months)s months (the copy is older or undated).") % {
                "document": label,
                "months": months,
            }
    return ""


def identity_missing(case: Request, *, on: dt.date | None = None) -> list[str]:
    """What the recorded documents still lack for verification on ``on`` (Asia/Tokyo date, today
    by default), per the case's desk policy (SPEC §6): one sentence per missing piece, empty when
    nothing is missing.

    Each document counts once and only for its holder (data subject or agent): the agent's own
    ID is the agent's; a proof rule may name whose document it must be (a seal registration
    certificate proves the data subject's seal). Documents that are expired, no longer valid or
    too old count for nothing, and the reason is given. A minor's legal representative needs a
    data subject under 18 on the day the request reached us (Civil Code Art. 4, 18 since
    2022-04-01).
    """
    policy: DeskPolicy = case.policy
    on = on or timezone.localdate()
    documents = list(case.documents.all())
    missing: list[str] = []
    used: set[int] = set()
    accepted = set(policy.accepted_id_documents or ID_KINDS) & ID_KINDS
    unusable: dict[int, str] = {}
    for d in documents:
        reason = document_refusal(d, policy=policy, reached_on=case.reached_on, on=on)
        if reason:
            unusable[id(d)] = reason

    agent_accepted = set(policy.agent_id_documents or accepted) & ID_KINDS

    def take_ids(holder) -> bool:
        kinds = agent_accepted if holder == Holder.AGENT else accepted
        held = [d for d in documents if d.holder == holder and d.kind in kinds and id(d) not in used]
        held = [d for d in held if id(d) not in unusable]
        photo = [d for d in held if d.kind in PHOTO_ID_KINDS]
        non_photo = [d for d in held if d.kind in NON_PHOTO_ID_KINDS]
        if policy.photo_id_count and len(photo) >= policy.photo_id_count:
            used.update(id(d) for d in photo[: policy.photo_id_count])
            return True
        if policy.non_photo_id_count and len(non_photo) >= policy.non_photo_id_count:
            used.update(id(d) for d in non_photo[: policy.non_photo_id_count])
            return True
        return False

    if case.agent_id is None:
        if policy.id_documents_required and not take_ids(Holder.DATA_SUBJECT):
            missing.append(gettext("Identity document of the data subject: %(rule)s") % {"rule": id_rule_text(policy)})
        return missing + sorted(set(unusable.values())) if missing else missing

    agent_type = case.agent.agent_type
    if not policy.agents_allowed:
        missing.append(gettext("This desk's policy does not accept requests from agents."))
    if agent_type == AgentType.MINOR_LEGAL_REPRESENTATIVE:
        birth_date = case.data_subject.birth_date
        if birth_date is None:
            missing.append(
                gettext(
                    "The data subject's date of birth: a minor's legal representative acts only for a person under 18."
                )
            )
        elif birth_date > case.reached_on:
            missing.append(gettext("The data subject's date of birth is after the day the request reached us."))
        elif age_on(birth_date, case.reached_on) >= AGE_OF_MAJORITY:
            missing.append(
                gettext(
                    "The data subject was %(age)s on %(date)s, not a minor: a legal representative of a minor "
                    "cannot make this request (age of majority 18)."
                )
                % {"age": age_on(birth_date, case.reached_on), "date": case.reached_on}
            )
    rules = [
        (rule.label, rule.document_kinds, rule.holder, rule.max_age_months)
        for rule in policy.agent_proof_rules.all()
        if rule.agent_type == agent_type
    ]
    if not rules:
        rules = [(str(label), kinds, holder, None) for label, kinds, holder in DEFAULT_AGENT_PROOFS[agent_type]]
    # Proofs first, preferring documents that cannot serve as anyone's ID, then the IDs.
    for label, kinds, holder, max_age in rules:
        candidates = [
            d for d in documents if d.kind in kinds and id(d) not in used and (not holder or d.holder == holder)
        ]
        reasons = []
        fresh = []
        for d in candidates:
            reason = document_refusal(d, policy=policy, reached_on=case.reached_on, on=on, max_age=max_age)
            (reasons if reason else fresh).append(reason or d)
        fresh.sort(key=lambda d: d.kind in ID_KINDS)
        if fresh:
            used.add(id(fresh[0]))
            continue
        if reasons:
            missing.append(
                gettext("Agent's proof: %(proof)s — %(reasons)s") % {"proof": label, "reasons": " ".join(reasons)}
            )
        elif holder and any(d.kind in kinds for d in documents):
            missing.append(
                gettext("Agent's proof: %(proof)s — it must be the %(holder)s's document.")
                % {"proof": label, "holder": Holder(holder).label}
            )
        else:
            missing.append(gettext("Agent's proof: %(proof)s") % {"proof": label})
    if not take_ids(Holder.AGENT):
        missing.append(gettext("The agent's own identity document: %(rule)s") % {"rule": id_rule_text(policy)})
    if policy.subject_id_for_agents and not take_ids(Holder.DATA_SUBJECT):
        missing.append(gettext("Identity document of the data subject: %(rule)s") % {"rule": id_rule_text(policy)})
    reasons = {reason for key, reason in unusable.items() if key not in used}
    return missing + sorted(reasons) if missing else missing


def id_rule_text(policy: DeskPolicy) -> str:
    """The policy's identity rule in words ("1 with photo or 2 without photo")."""
    parts = []
    if policy.photo_id_count:
        parts.append(gettext("%(n)s with photo") % {"n": policy.photo_id_count})
    if policy.non_photo_id_count:
        parts.append(gettext("%(n)s without photo") % {"n": policy.non_photo_id_count})
    return gettext(" or ").join(parts)


def identity_in_hand_on(case: Request) -> dt.date | None:
    """The day the identity requirements were met, or None while something is missing.

    Once the desk has verified the identity, that verification stands: documents are not judged
    again on later days (an ID that expires after it was checked does not stop the clock).
    """
    needs_documents = case.agent_id is not None or case.policy.id_documents_required
    if not needs_documents:
        return case.form_received_on
    verified = any(v.outcome == VerificationOutcome.VERIFIED for v in case.verifications.all())
    if not verified and identity_missing(case):
        return None
    return max((d.received_on for d in case.documents.all()), default=case.form_received_on)


# ------------------------------------------------------------------------------------------
# The clock (SPEC §5)
# ------------------------------------------------------------------------------------------
def clock_periods(case: Request) -> list[tuple[dt.date, dt.date | None]]:
    """The running periods of the deadline clock as (day 0, paused on or None): from the day the
    policy counts from (the complete request, or its receipt), around each pause. Empty while the
    clock has not started."""
    return _periods(clock_start(case, case.complete_on), case.pauses.all())


def clock_start(case: Request, complete_on: dt.date | None) -> dt.date | None:
    """Day 0 of the deadline (SPEC §5): the day the request reached us where the policy counts
    from receipt (GDPR Art. 12(3); CCPA Regs. §7021(b): "whatever verification takes"), else the
    day it became complete (our Japanese desks)."""
    if case.policy.deadline_counts_from == ClockStart.RECEIPT:
        return case.reached_on
    return complete_on


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
    periods = _periods(clock_start(case, complete_on), case.pauses.all())
    if not periods:
        return complete_on, None
    unit, limit = deadline_rule(case)
    return complete_on, BusinessCalendar.for_organization(case.organization).due_date(periods, limit, unit)


# Art. 39-1: no suit "until two weeks have passed from the day the request reached" the business.
# The first day is not counted (Civil Code Art. 140) and a period in weeks ends at the end of its
# last day (Art. 143): reached Mon 2026-03-02 → two weeks end Mon 03-16 → may sue from Tue 03-17.
ART39_WAIT = dt.timedelta(days=15)


def form_disposal_due_on(case: Request) -> dt.date | None:
    """The day the request form is due for disposal (Asia/Tokyo date), or None: the policy's
    ``form_retention_days`` (calendar days) after the case ended, while the form is kept."""
    days = case.policy.form_retention_days
    if days is None or case.ended_on is None or case.form_received_on is None or case.form_disposed_on:
        return None
    return case.ended_on + dt.timedelta(days=days)


def art39_on(case: Request) -> dt.date | None:
    """The first day the person may sue (Art. 39-1), as an Asia/Tokyo calendar date, or None.

    ``reached_on`` + 15 calendar days; earlier if we refused (Art. 39-1 proviso: once the
    business "refused the request" the person may sue at once) — the day a letter answering a
    refused or partly refused item was sent. None when every item is a purpose notice (Art. 39
    covers Arts. 33-1, 34-1, 35-1/3/5 only, not Art. 32-2), and for organizations outside Japan.
    Prefetch ``items__decision`` and
    ``responses__letter__items`` for lists.
    """
    if case.organization.holiday_country != "JP":
        return None  # the APPI governs our Japanese organizations; a group company abroad has its own law
    items = [item for item in case.items.all() if item.kind != ItemKind.PURPOSE_NOTICE]
    if not items:
        return None
    refused = {
        item.pk
        for item in items
        if getattr(item, "decision", None) is not None and item.decision.outcome in REFUSED_OUTCOMES
    }
    refused_on = min(
        (
            response.sent_on
            for response in case.responses.all()
            if response.state == DeliveryState.SENT
            and refused & {answered.pk for answered in response.letter.items.all()}
        ),
        default=None,
    )
    wait_over = case.reached_on + ART39_WAIT
    return min(wait_over, refused_on) if refused_on else wait_over


@dataclass(frozen=True)
class WithdrawalProposal:
    """An abandoned case: the open wait (``Pause``), the day our request letter left
    (``asked_on``), the business days since then by ``today`` and the policy's limit
    (``DeskPolicy.propose_withdrawal_after``)."""

    pause: object
    asked_on: dt.date
    waited: int
    limit: int


def asked_on(case: Request, pause) -> dt.date | None:
    """The day the request letter for ``pause`` (missing documents, information or fee) left: the
    first such letter drafted after the wait began (``Pause.created_at``; for older rows, sent on
    or after its first day), sent and not returned undelivered; None while none has. Prefetch
    ``responses__letter`` for lists. The reminder sweep asks the same in SQL."""
    return min(
        (
            response.sent_on
            for response in case.responses.all()
            if response.state == DeliveryState.SENT
            and response.returned_on is None
            and response.letter.kind == LetterKind.REQUEST_MISSING
            and response.sent_on >= pause.started_on
            and (pause.created_at is None or response.letter.created_at >= pause.created_at)
        ),
        default=None,
    )


def withdrawal_proposed(case: Request, today: dt.date | None = None) -> WithdrawalProposal | None:
    """Whether the desk should close the case as withdrawn: it waits for the requester (any wait,
    the fee's included), our request letter left, and the requester has not answered for more
    business days than the policy's limit, counted from the day the letter left (exclusive) to
    ``today`` (Asia/Tokyo, inclusive). None otherwise — also while the letter is not sent, or
    without a limit. The reminder sweep asks the same in SQL (``_longer_than``)."""
    limit = case.policy.propose_withdrawal_after
    if limit is None or case.status != Status.AWAITING_REQUESTER:
        return None
    pause = next((p for p in case.pauses.all() if p.ended_on is None), None)
    if pause is None:
        return None
    asked = asked_on(case, pause)
    if asked is None:
        return None
    today = today or timezone.localdate()
    waited = BusinessCalendar.for_organization(case.organization).business_days_between(asked, today)
    return WithdrawalProposal(pause, asked, waited, limit) if waited > limit else None


def answered_on(case: Request) -> dt.date | None:
    """The day the case was answered: the last result notice sent (an Asia/Tokyo date), or None
    while none has left. A case answered in two letters is answered when the last one left.
    Prefetch ``responses__letter`` for lists."""
    return max(
        (
            response.sent_on
            for response in case.responses.all()
            if response.state == DeliveryState.SENT and response.letter.kind == LetterKind.RESULT
        ),
        default=None,
    )


def days_left(calendar: BusinessCalendar, today: dt.date, due_on: dt.date | None) -> int | None:
    """Business days from ``today`` to ``due_on``: 0 only when due today; negative when overdue.

    The one computation behind the list's colours, the case page, the dashboard and the digests,
    and it agrees with the list's filters (overdue ⇔ ``due_on < today``, SPEC §5): on a Saturday
    or in a closure, a case due on the last business day before is 1 business day overdue.
    """
    if due_on is None:
        return None
    if due_on < today:
        return -max(calendar.business_days_between(due_on, today), 1)
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
def self_service_only(case: Request) -> bool:
    """Every item is decided "resolved by self-service" (no identity verification needed for that)."""
    items = list(case.items.all())
    return bool(items) and all(
        getattr(item, "decision", None) is not None and item.decision.outcome == Outcome.SELF_SERVICE for item in items
    )


def self_service_offered(case: Request) -> bool:
    """The policy's self-service covers at least one of the case's kinds (SPEC §8)."""
    return any(item.kind in case.policy.self_service_kinds for item in case.items.all())


def recipient(case: Request) -> tuple[str, str, str]:
    """(name, postal address block, e-mail) the reply goes to, per the case's reply rule.

    The address on the form is the requester's (the agent's, when an agent asked); the
    registered address is the data subject's as held in our records; the address on the identity
    document is the data subject's registered address as the desk read it from the document.
    """
    subject, agent = case.data_subject, case.agent
    if case.reply_to in {ReplyTo.REGISTERED_ADDRESS, ReplyTo.ID_DOCUMENT_ADDRESS}:
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
    if letters_in_outbox(case):
        blockers.append(gettext("An e-mail was interrupted while sending: check whether it left (“Sent” below)."))
    return blockers


@dataclass(frozen=True)
class DisposalDue:
    """Copies of identity documents the policy wants disposed of: ``since`` (Asia/Tokyo date the
    duty arose) and ``documents`` still kept."""

    since: dt.date
    documents: list


def copies_due_for_disposal(case: Request) -> DisposalDue | None:
    """Where the policy disposes of the copies at once when verification ends (e.g. Leverages),
    the copies still kept once it ended (verified or failed), from that day; else None. Reads the
    prefetched ``case.verifications`` and ``case.documents``; the reminder sweep asks the same in SQL."""
    if case.policy.id_copy_disposal != DisposalRule.AT_VERIFICATION:
        return None
    ended = [
        v.verified_on
        for v in case.verifications.all()
        if v.outcome in {VerificationOutcome.VERIFIED, VerificationOutcome.FAILED}
    ]
    kept = [d for d in case.documents.all() if d.disposed_on is None]
    if not ended or not kept:
        return None
    return DisposalDue(since=min(ended), documents=kept)


def letters_in_outbox(case) -> set[int]:
    """Ids of the case's letters with an e-mail recorded as leaving and not confirmed sent
    (``DeliveryState.SENDING``): such a letter can be neither edited nor sent again until staff
    check it. Reads ``case.responses`` (prefetched on the case page)."""
    return {response.letter_id for response in case.responses.all() if response.state == DeliveryState.SENDING}


def sending_interrupted(response, now) -> bool:
    """Whether an e-mail left "sending" was interrupted, not still talking to the SMTP server:
    recorded longer ago than twice ``EMAIL_TIMEOUT`` plus a minute. Only then may staff say
    whether it left (a send in progress would otherwise be removed while it delivers)."""
    from django.conf import settings

    if response.state != DeliveryState.SENDING:
        return False
    return now - response.recorded_at > dt.timedelta(seconds=2 * (settings.EMAIL_TIMEOUT or 10) + 60)


# ------------------------------------------------------------------------------------------
# Search
# ------------------------------------------------------------------------------------------
_NOT_DIGITS = re.compile(r"\D")
_NUMBER_LIKE = re.compile(r"[\d\-()+]+")


def case_search_key(case: Request) -> str:
    """What the request list's search box matches for ``case``: one line per value, each as
    ``search_key`` reads it — the data subject's and the agent's full names and kana (family name
    first, no space), addresses, e-mails and member ID; phone numbers and postal codes as digits
    only. Stored on the case (``Request.search_key``) so one trigram index serves the search."""
    parts = []
    for person in (case.data_subject, case.agent):
        if person is None:
            continue
        parts += [
            person.family_name + person.given_name,
            person.family_name_kana + person.given_name_kana,
            person.address,
            getattr(person, "registered_address", ""),
            person.email,
            getattr(person, "member_id", ""),
        ]
        parts += [_NOT_DIGITS.sub("", fold(value)) for value in (person.phone, person.postal_code)]
    return "\n".join(key for key in map(search_key, parts) if key)


def search_words(text: str) -> list[str]:
    """What was typed into the search box as the keys to look for, one per word (all must match):
    ``search_key`` of each; a word of digits with dashes or brackets (a phone number or postal
    code) as its digits."""
    words = []
    for word in fold(text).split():
        key = search_key(word)
        if _NUMBER_LIKE.fullmatch(key) and any(c.isdigit() for c in key):
            key = _NOT_DIGITS.sub("", key)
        if key:
            words.append(key)
    return words


def open_holds(case) -> list:
    """The open legal holds that keep ``case`` from the retention purge: its own and its person's
    (issue 15). One query, cached on the case for the page."""
    cached = getattr(case, "_open_holds", None)
    if cached is None:
        cached = list(
            LegalHold.objects.filter(lifted_on__isnull=True)
            .filter(Q(request_id=case.pk) | Q(data_subject_id=case.data_subject_id))
            .select_related("placed_by")
            .order_by("pk")
        )
        case._open_holds = cached
    return cached
