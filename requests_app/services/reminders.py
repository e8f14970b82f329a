"""Deadline reminders (SPEC §13): who must hear about which case today, exactly once.

``reminder_sweep`` finds the cases in each condition with one query per condition: every rule is
turned into a date bound per desk policy, computed once from the organization's business calendar
(``requests_app.deadlines``: no second calendar), so the database does the filtering and rows are
streamed. It claims one ``ReminderLog`` row per (recipient, case, kind, day) with
``bulk_create(ignore_conflicts=True)``: a second sweep, or two at once, claims nothing new.

``reminder_digest_send`` then sends each recipient one e-mail with all their pending reminders,
locking the rows with ``select_for_update(skip_locked=True)`` so two workers never send the same
rows. Delivery is at-least-once at worst: if the database fails after the SMTP server accepted
the message, the rows stay pending and the digest goes again.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections import defaultdict
from dataclasses import dataclass, field

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from privacyops.mail import new_message_id
from requests_app import derived, roles
from requests_app.deadlines import BusinessCalendar, DeadlineUnit, add_months
from requests_app.models import (
    COMPLAINT_AWAITING_REPLY,
    REMINDER_ORDER,
    UNANSWERED_STATUSES,
    Complaint,
    DeliveryState,
    DeskPolicy,
    DisposalRule,
    IdentityDocument,
    LetterKind,
    Organization,
    Pause,
    PauseKind,
    ReminderKind,
    ReminderLog,
    ReminderStatus,
    Request,
    Response,
    Status,
    Verification,
    VerificationOutcome,
)

logger = logging.getLogger(__name__)

__all__ = ["SMTP_ERRORS", "reminder_digest_fail", "reminder_digest_send", "reminder_sweep"]

BATCH = 2000
# Reminders that go to the organization's managers as well as to the assignee.
ALSO_TO_MANAGERS = frozenset({ReminderKind.OVERDUE, ReminderKind.COMPLAINT_OVERDUE})
# Reminders about a complaint's reply (issue 15), not a case.
COMPLAINT_KINDS = frozenset({ReminderKind.COMPLAINT_OVERDUE, ReminderKind.COMPLAINT_DUE})
# Reminders only for the managers.
ONLY_TO_MANAGERS = frozenset({ReminderKind.ART39})
SMTP_ERRORS = (smtplib.SMTPException, ConnectionError, OSError)


@dataclass
class SweepResult:
    day: dt.date
    skipped_organizations: list[str] = field(default_factory=list)
    # (recipient, request — or complaint for ``COMPLAINT_KINDS`` —, kind)
    planned: list[tuple[int, int, str]] = field(default_factory=list)
    planned_count: int = 0
    claimed: int = 0
    recipients: set[int] = field(default_factory=set)


# ------------------------------------------------------------------------------------------
# Which cases, per condition
# ------------------------------------------------------------------------------------------
def _longer_than(calendar: BusinessCalendar, today: dt.date, days: int) -> dt.date:
    """Started before the returned date ⟺ more than ``days`` business days in (start, today]."""
    return calendar.nth_business_day_back(today, days + 1)


def _acknowledgement_bound(calendar, today, policy: DeskPolicy) -> dt.date:
    """Reached before this date: the acknowledgement is due by the next business day or already late."""
    horizon = calendar.add_business_days(today, 1)
    limit = policy.acknowledgement_limit
    if policy.acknowledgement_unit == DeadlineUnit.BUSINESS_DAYS:
        # add_business_days(reached, limit) <= horizon ⟺ reached < the limit-th business day back.
        return calendar.nth_business_day_back(horizon, limit)
    if policy.acknowledgement_unit == DeadlineUnit.MONTHS:
        return add_months(horizon, -limit) + dt.timedelta(days=1)
    return horizon - dt.timedelta(days=limit) + dt.timedelta(days=1)


def _conditions(today: dt.date, policies: list[DeskPolicy], calendars: dict[int, BusinessCalendar]) -> dict:
    """``{kind: Q}`` selecting the cases in each condition today, across all policies."""
    by_kind: dict[str, Q] = defaultdict(lambda: Q(pk__in=[]))
    for policy in policies:
        calendar = calendars[policy.organization_id]
        mine = Q(policy_id=policy.pk)
        by_kind[ReminderKind.DUE_IN_3] |= mine & Q(due_on=calendar.add_business_days(today, 3))
        by_kind[ReminderKind.DUE_IN_1] |= mine & Q(due_on=calendar.add_business_days(today, 1))
        by_kind[ReminderKind.DUE_TODAY] |= mine & Q(due_on=today)
        by_kind[ReminderKind.OVERDUE] |= mine & Q(due_on__lt=today)
        by_kind[ReminderKind.ART39] |= mine & Q(art39_on__lte=today)
        if policy.acknowledgement_limit is not None:
            by_kind[ReminderKind.ACKNOWLEDGEMENT_DUE] |= (
                mine
                & Q(acknowledged_on__isnull=True)
                & Q(reached_on__lt=_acknowledgement_bound(calendar, today, policy))
            )
        by_kind[ReminderKind.VERIFICATION_LONG] |= (
            mine
            & Q(status__in=[Status.RECEIVED, Status.VERIFYING])
            & Q(reached_on__lt=_longer_than(calendar, today, policy.remind_verification_after))
        )
        open_pause = Pause.objects.filter(request=OuterRef("pk"), ended_on__isnull=True)
        by_kind[ReminderKind.WAITING_LONG] |= mine & Q(
            Exists(
                open_pause.exclude(kind=PauseKind.FEE_SHORTFALL).filter(
                    started_on__lt=_longer_than(calendar, today, policy.remind_requester_wait_after)
                )
            )
        )
        if policy.propose_withdrawal_after is not None:
            # Abandoned (issue 15): the same rule as ``derived.withdrawal_proposed``: any open wait
            # whose request letter left longer ago than the limit.
            bound = _longer_than(calendar, today, policy.propose_withdrawal_after)
            asked = Response.objects.filter(
                request=OuterRef(OuterRef("pk")),
                letter__kind=LetterKind.REQUEST_MISSING,
                state=DeliveryState.SENT,
                returned_on__isnull=True,
                sent_on__gte=OuterRef("started_on"),
                sent_on__lt=bound,
            )
            drafted_after = asked.filter(letter__created_at__gte=OuterRef("created_at"))
            by_kind[ReminderKind.WITHDRAWAL_PROPOSED] |= (
                mine
                & Q(status=Status.AWAITING_REQUESTER)
                & Q(
                    Exists(
                        open_pause.filter(
                            (Q(created_at__isnull=False) & Q(Exists(drafted_after)))
                            | (Q(created_at__isnull=True) & Q(Exists(asked)))
                        )
                    )
                )
            )
        by_kind[ReminderKind.FEE_WAITING_LONG] |= mine & Q(
            Exists(
                open_pause.filter(
                    kind=PauseKind.FEE_SHORTFALL,
                    started_on__lt=_longer_than(calendar, today, policy.remind_fee_wait_after),
                )
            )
        )
        if policy.id_copy_disposal == DisposalRule.AT_VERIFICATION:
            verified = Verification.objects.filter(
                request=OuterRef("pk"),
                outcome__in=[VerificationOutcome.VERIFIED, VerificationOutcome.FAILED],
                verified_on__lte=today,
            )
            kept = IdentityDocument.objects.filter(request=OuterRef("pk"), disposed_on__isnull=True)
            by_kind[ReminderKind.DISPOSAL_DUE] |= mine & Q(Exists(verified)) & Q(Exists(kept))
        by_kind[ReminderKind.FORM_DISPOSAL_DUE] |= mine & Q(form_disposal_due_on__lte=today)
    return by_kind


def _complaint_conditions(today: dt.date, working: set[int], calendars: dict[int, BusinessCalendar]) -> dict:
    """``{kind: Q}`` selecting the complaints whose reply is overdue, or due today or on the next
    business day of their organization."""
    due = Q(pk__in=[])
    for organization_id in working:
        due |= Q(
            organization_id=organization_id,
            reply_due_on__gte=today,
            reply_due_on__lte=calendars[organization_id].add_business_days(today, 1),
        )
    return {ReminderKind.COMPLAINT_OVERDUE: Q(reply_due_on__lt=today), ReminderKind.COMPLAINT_DUE: due}


def _access() -> tuple[set[tuple[int, int]], set[int], set[int]]:
    """(user, organization) pairs of granted access, the superusers, the active users."""
    User = get_user_model()
    pairs = set(User.organizations.through.objects.values_list("user_id", "organization_id"))
    active = dict(User.objects.filter(is_active=True).values_list("pk", "is_superuser"))
    return pairs, {pk for pk, is_super in active.items() if is_super}, set(active)


def _managers_by_organization() -> dict[int, list[int]]:
    pairs = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=roles.DESK_MANAGER, organizations__isnull=False)
        .order_by()
        .values_list("organizations", "pk")
        .distinct()
    )
    managers: dict[int, list[int]] = defaultdict(list)
    for organization_id, user_id in pairs:
        managers[organization_id].append(user_id)
    return managers


def reminder_sweep(*, today: dt.date, dry_run: bool = False, on_plan=None) -> SweepResult:
    """Claim today's reminders and queue one digest per recipient (or, dry run, only list them).

    A dry run hands each (recipient, request, kind, reference) to ``on_plan`` as it is found (memory
    stays bounded however many cases there are); without ``on_plan`` it collects them in ``planned``.
    """
    result = SweepResult(day=today)
    organizations = list(Organization.objects.prefetch_related("closed_days"))
    calendars = {org.pk: BusinessCalendar.for_organization(org) for org in organizations}
    working = {org.pk for org in organizations if calendars[org.pk].is_business_day(today)}
    result.skipped_organizations = sorted(org.code for org in organizations if org.pk not in working)
    policies = list(DeskPolicy.objects.filter(organization_id__in=working))
    if not policies:
        return result
    managers = _managers_by_organization()
    pairs, superusers, active = _access()

    def may_see(user_id, organization_id):
        return user_id in active and (user_id in superusers or (user_id, organization_id) in pairs)

    base = Request.objects.filter(status__in=UNANSWERED_STATUSES, organization_id__in=working)
    conditions = _conditions(today, policies, calendars)
    already = 0 if dry_run else ReminderLog.objects.filter(day=today).count()

    def recipients_for(kind, organization_id, assignee_id) -> set[int]:
        org_managers = managers.get(organization_id, [])
        if kind in ONLY_TO_MANAGERS:
            return set(org_managers)
        # An assignee who left the organization (or the desk) hears nothing; the managers do.
        has_assignee = assignee_id and may_see(assignee_id, organization_id)
        recipients = {assignee_id} if has_assignee else set(org_managers)
        if kind in ALSO_TO_MANAGERS:
            recipients |= set(org_managers)
        return recipients

    complaint_conditions = _complaint_conditions(today, working, calendars)
    for kind in REMINDER_ORDER:
        if kind in COMPLAINT_KINDS:
            rows = (
                Complaint.objects.filter(status__in=COMPLAINT_AWAITING_REPLY, organization_id__in=working)
                .filter(complaint_conditions[kind])
                .values_list("pk", "organization_id", "assignee_id")
                .order_by("pk")
            )
            batch = []
            for complaint_id, organization_id, assignee_id in rows.iterator(chunk_size=BATCH):
                for recipient_id in recipients_for(kind, organization_id, assignee_id):
                    if dry_run:
                        result.planned_count += 1
                        if on_plan is not None:
                            on_plan(recipient_id, complaint_id, kind, f"C-{complaint_id}")
                        else:
                            result.planned.append((recipient_id, complaint_id, kind))
                    else:
                        batch.append(
                            ReminderLog(recipient_id=recipient_id, complaint_id=complaint_id, kind=kind, day=today)
                        )
                    result.recipients.add(recipient_id)
            if batch:
                _claim(batch)
            continue
        condition = conditions[kind]
        ended_too = kind in {ReminderKind.DISPOSAL_DUE, ReminderKind.FORM_DISPOSAL_DUE}
        scope = Request.objects.filter(organization_id__in=working) if ended_too else base
        rows = scope.filter(condition).values_list("pk", "organization_id", "assignee_id", "reference").order_by("pk")
        batch: list[ReminderLog] = []
        for request_id, organization_id, assignee_id, reference in rows.iterator(chunk_size=BATCH):
            for recipient_id in recipients_for(kind, organization_id, assignee_id):
                if dry_run:
                    result.planned_count += 1
                    if on_plan is not None:
                        on_plan(recipient_id, request_id, kind, reference)
                    else:
                        result.planned.append((recipient_id, request_id, kind))
                else:
                    batch.append(ReminderLog(recipient_id=recipient_id, request_id=request_id, kind=kind, day=today))
                result.recipients.add(recipient_id)
            if len(batch) >= BATCH:
                _claim(batch)
                batch = []
        if batch:
            _claim(batch)

    if not dry_run:
        result.claimed = ReminderLog.objects.filter(day=today).count() - already
        _queue_digests(today)
    return result


def _claim(rows: list[ReminderLog]) -> None:
    """Insert what is not there yet; the unique key makes a repeated sweep a no-op."""
    ReminderLog.objects.bulk_create(rows, ignore_conflicts=True, batch_size=BATCH)


DIGEST_TASK = "requests_app.reminder_digest_send"  # the name in tasks.py


def _queue_digests(today: dt.date) -> None:
    """One digest task per recipient with pending reminders (older days too: catch-up after an outage)."""
    recipients = list(
        ReminderLog.objects.filter(status=ReminderStatus.PENDING, day__lte=today)
        .order_by("recipient_id")  # not the model's ordering: it would defeat DISTINCT
        .values_list("recipient_id", flat=True)
        .distinct()
    )

    def enqueue():
        for recipient_id in recipients:
            try:
                # By name: services never import the task module (tasks call services).
                current_app.send_task(DIGEST_TASK, args=(recipient_id, today.isoformat()))
            except Exception:  # broker down: the rows stay pending and the next sweep queues them again
                logger.exception("could not queue the reminder digest for user %s", recipient_id)

    transaction.on_commit(enqueue)


# ------------------------------------------------------------------------------------------
# The digest
# ------------------------------------------------------------------------------------------
def _initials(subject) -> str:
    """Initials from the kana only: no full personal data in e-mail (a one-kanji surname is a name)."""
    parts = [subject.family_name_kana, subject.given_name_kana]
    return "".join(f"{p[0]}." for p in parts if p) or "—"


def _digest_lines(rows: list[ReminderLog], today: dt.date) -> list[dict]:
    organizations = {(row.request or row.complaint).organization_id for row in rows}
    calendars = {
        org.pk: BusinessCalendar.for_organization(org)
        for org in Organization.objects.filter(pk__in=organizations).prefetch_related("closed_days")
    }
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        if row.complaint_id is not None:
            complaint = row.complaint
            days_left = derived.days_left(calendars[complaint.organization_id], today, complaint.reply_due_on)
            groups[row.kind].append(
                {
                    "reference": f"C-{complaint.pk}",
                    "organization": complaint.organization.code,
                    "initials": "—",  # the complainant's name stays in PrivacyOps
                    "status": complaint.get_status_display(),
                    "due_on": complaint.reply_due_on,
                    "days_left": days_left,
                    "overdue_by": -days_left if days_left is not None and days_left < 0 else 0,
                    "url": settings.SITE_URL + reverse("admin:requests_app_complaint_change", args=[complaint.pk]),
                }
            )
            continue
        case = row.request
        days_left = derived.days_left(calendars[case.organization_id], today, case.due_on)
        groups[row.kind].append(
            {
                "reference": case.reference,
                "organization": case.organization.code,
                "initials": _initials(case.data_subject),
                "status": case.get_status_display(),
                "due_on": case.due_on,
                "days_left": days_left,
                "overdue_by": -days_left if days_left is not None and days_left < 0 else 0,
                "url": settings.SITE_URL + reverse("admin:requests_app_request_change", args=[case.pk]),
            }
        )
    limit = settings.REMINDER_DIGEST_SECTION_LIMIT
    return [
        {
            "kind": kind,
            "label": ReminderKind(kind).label,
            "total": len(groups[kind]),
            "cases": groups[kind][:limit],
            "more": max(len(groups[kind]) - limit, 0),
            "more_url": settings.SITE_URL + _section_list_url(kind),
        }
        for kind in REMINDER_ORDER
        if kind in groups
    ]


# Where a digest's section continues: the list filtered to that kind of reminder (issue 16).
_SECTION_FILTERS = {
    ReminderKind.OVERDUE: "?due=overdue",
    ReminderKind.DUE_TODAY: "?due=today",
    ReminderKind.DUE_IN_1: "?due=soon",
    ReminderKind.DUE_IN_3: "?due=soon",
    ReminderKind.ART39: "?due=art39",
    ReminderKind.VERIFICATION_LONG: "?status=verifying",
    ReminderKind.WAITING_LONG: "?status=awaiting_requester",
    ReminderKind.FEE_WAITING_LONG: "?status=awaiting_requester",
    ReminderKind.WITHDRAWAL_PROPOSED: "?status=awaiting_requester",
    ReminderKind.ACKNOWLEDGEMENT_DUE: "?status=received",
    ReminderKind.DISPOSAL_DUE: "?status=all",
    ReminderKind.FORM_DISPOSAL_DUE: "?status=all",
}


def _section_list_url(kind: str) -> str:
    """The list a digest section links to for the cases it does not show."""
    if kind == ReminderKind.COMPLAINT_OVERDUE:
        return reverse("admin:requests_app_complaint_changelist") + "?needs=overdue"
    if kind == ReminderKind.COMPLAINT_DUE:
        return reverse("admin:requests_app_complaint_changelist") + "?needs=mine"
    return reverse("admin:requests_app_request_changelist") + _SECTION_FILTERS.get(kind, "")


def reminder_digest_send(*, recipient_id: int, today: dt.date | None = None) -> int:
    """Send the recipient's pending reminders as one e-mail; returns how many were sent.

    SMTP errors are recorded on the rows (attempts, last error) and raised for the caller to retry.
    """
    today = today or timezone.localdate()
    error = None
    with transaction.atomic():
        rows = list(
            ReminderLog.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(recipient_id=recipient_id, status=ReminderStatus.PENDING, day__lte=today)
            .select_related("request__organization", "request__data_subject", "complaint__organization")
            .order_by("request__due_on", "request_id", "complaint__reply_due_on", "complaint_id")
        )
        if not rows:
            return 0
        ids = [row.pk for row in rows]
        user = get_user_model().objects.get(pk=recipient_id)
        if not user.email or not user.is_active:
            ReminderLog.objects.filter(pk__in=ids).update(
                status=ReminderStatus.FAILED, last_error="no e-mail address or inactive user"
            )
            return 0
        with translation.override(user.language or settings.LANGUAGE_CODE):
            groups = _digest_lines(rows, today)
            count = len({(row.request_id, row.complaint_id) for row in rows})
            context = {"user": user, "groups": groups, "today": today, "count": count, "site_url": settings.SITE_URL}
            subject = gettext("[PrivacyOps] Deadlines on %(date)s: %(count)s case(s)") % {
                "date": today.isoformat(),
                "count": count,
            }
            text = render_to_string("reminders/digest.txt", context)
            html = render_to_string("reminders/digest.html", context)
        message_id = new_message_id()
        message = EmailMultiAlternatives(
            subject, text, settings.DEFAULT_FROM_EMAIL, [user.email], headers={"Message-ID": message_id}
        )
        message.attach_alternative(html, "text/html")
        try:
            message.send(fail_silently=False)
        except SMTP_ERRORS as exc:
            error = exc
            ReminderLog.objects.filter(pk__in=ids).update(attempts=F("attempts") + 1, last_error=str(exc)[:1000])
        else:
            ReminderLog.objects.filter(pk__in=ids).update(
                status=ReminderStatus.SENT,
                sent_at=timezone.now(),
                message_id=message_id,
                attempts=F("attempts") + 1,
                last_error="",
            )
    if error is not None:
        raise error
    return len(rows)


def reminder_digest_fail(*, recipient_id: int, error: str) -> int:
    """Retries are exhausted: mark the pending reminders failed, for the managers to see."""
    return ReminderLog.objects.filter(recipient_id=recipient_id, status=ReminderStatus.PENDING).update(
        status=ReminderStatus.FAILED, last_error=error[:1000]
    )
