"""What every service shares: the errors, locking and saving with history, and the state derived
from a case (fee, identity documents, completeness, the deadline clock)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from requests_app import selectors
from requests_app.deadlines import BusinessCalendar, DeadlineUnit, add_months
from requests_app.models import (
    ID_KINDS,
    NON_PHOTO_ID_KINDS,
    PHOTO_ID_KINDS,
    TRANSITIONS,
    AgentType,
    DeskPolicy,
    DocumentKind,
    Holder,
    Request,
    Status,
)
from requests_app.validators import reject_individual_number


class TransitionNotAllowed(Exception):
    """A guard refused the operation. ``str(error)`` is the message for the user."""


class EditConflict(TransitionNotAllowed):
    """Somebody else saved the case since the user loaded it."""


class DuplicateSubmission(TransitionNotAllowed):
    """The same intake form was submitted twice; ``request`` is the case it created."""

    def __init__(self, message, request):
        super().__init__(message)
        self.request = request


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


# ------------------------------------------------------------------------------------------
# Helpers: locking, saving with history, reasons
# ------------------------------------------------------------------------------------------
def _reason(label, note: str = "") -> str:
    """History reason in the desk's language: the operation, then the user's own words."""
    with translation.override(settings.LANGUAGE_CODE):
        text = str(label)
    note = (note or "").strip()
    return f"{text}: {note}" if note else text


def _save(obj, *, actor, reason: str, **kwargs) -> None:
    obj._history_user = actor
    obj._change_reason = reason
    obj.save(**kwargs)


def _save_case(case: Request, *, actor, reason: str) -> None:
    case.version += 1
    _save(case, actor=actor, reason=reason)


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


def _require_status(case: Request, allowed: Iterable[str], action) -> None:
    if case.status not in allowed:
        raise TransitionNotAllowed(
            gettext("“%(action)s” is not possible while the case is “%(status)s”.")
            % {"action": action, "status": case.get_status_display()}
        )


def _move(case: Request, to_status: str) -> None:
    if to_status not in TRANSITIONS[case.status]:
        raise TransitionNotAllowed(
            gettext("A case cannot go from “%(from)s” to “%(to)s”.")
            % {"from": case.get_status_display(), "to": Status(to_status).label}
        )
    case.status = to_status


def _check_date(value: dt.date | None, label, *, not_before: dt.date | None = None, not_before_label=None) -> None:
    if value is None:
        return
    if value > _today():
        raise ValidationError(
            gettext("%(field)s cannot be in the future (%(date)s).") % {"field": label, "date": value.isoformat()}
        )
    if not_before is not None and value < not_before:
        raise ValidationError(
            gettext("%(field)s (%(date)s) cannot be before %(other)s (%(other_date)s).")
            % {
                "field": label,
                "date": value.isoformat(),
                "other": not_before_label,
                "other_date": not_before.isoformat(),
            }
        )


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


# ------------------------------------------------------------------------------------------
# Derived state: fee, identity documents, completeness, clock
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FeeStatus:
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
    due = sum(item.fee_due for item in case.items.all())
    received, full_on = 0, None
    for payment in sorted(case.payments.all(), key=lambda p: (p.received_on, p.pk)):
        received += payment.amount
        if full_on is None and received >= due:
            full_on = payment.received_on
    if due == 0:
        full_on = None
    return FeeStatus(due=due, received=received, paid_in_full_on=full_on)


def identity_missing(case: Request, *, on: dt.date | None = None) -> list[str]:
    """What the recorded documents still lack for verification, per the policy (SPEC §6)."""
    policy: DeskPolicy = case.policy
    on = on or _today()
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
    parts = []
    if policy.photo_id_count:
        parts.append(gettext("%(n)s with photo") % {"n": policy.photo_id_count})
    if policy.non_photo_id_count:
        parts.append(gettext("%(n)s without photo") % {"n": policy.non_photo_id_count})
    return gettext(" or ").join(parts)


def _identity_in_hand_on(case: Request) -> dt.date | None:
    """The day the identity requirements were met, or None while something is missing."""
    needs_documents = case.agent_id is not None or case.policy.id_documents_required
    if not needs_documents:
        return case.form_received_on
    if identity_missing(case):
        return None
    return max((d.received_on for d in case.documents.all()), default=case.form_received_on)


def clock_periods(case: Request) -> list[tuple[dt.date, dt.date | None]]:
    """The running periods of the deadline clock: from day 0 (complete) around each pause."""
    if case.complete_on is None:
        return []
    periods, start = [], case.complete_on
    for pause in sorted(case.pauses.all(), key=lambda p: (p.started_on, p.pk)):
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
    """(unit, limit) in force for the case: the policy's, or the internal target where it is silent."""
    policy = case.policy
    if policy.deadline_limit is None:
        return DeadlineUnit.BUSINESS_DAYS, case.organization.internal_target_business_days
    limit = policy.deadline_limit
    if case.extended_on and policy.extension_limit:
        limit += policy.extension_limit
    return policy.deadline_unit, limit


def _refresh_clock(case: Request) -> None:
    """Set ``complete_on`` once form, documents and fee are all in hand; recompute ``due_on``."""
    if case.complete_on is None and case.form_received_on is not None:
        identity_on = _identity_in_hand_on(case)
        fee = fee_status(case)
        if identity_on is not None and fee.paid_in_full:
            case.complete_on = max(d for d in (case.form_received_on, identity_on, fee.paid_in_full_on) if d)
    unit, limit = deadline_rule(case)
    periods = clock_periods(case)
    calendar = BusinessCalendar.for_organization(case.organization)
    case.due_on = calendar.due_date(periods, limit, unit) if periods else None
