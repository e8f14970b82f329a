"""Records a PrivacyMark audit asks for (JIS Q 15001:2023 A.3.4.4 / A.3.9): the request ledger
(受付台帳) and the yearly figures for the management review.

Reads only, scoped to the actor's organizations like every selector. A period is two Asia/Tokyo
dates, both included, and selects the requests that *reached* the organization in it (the day
the ledger is kept by); what happened to them afterwards — even after the period — is shown.

The statistics are SQL aggregates: the number of queries does not grow with the number of
requests (tests hold it), and Python sees only grouped rows.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from requests_app.deadlines import BusinessCalendar
from requests_app.models import (
    UNANSWERED_STATUSES,
    AgentType,
    Approval,
    ApprovalOutcome,
    Channel,
    Complaint,
    ComplaintTopic,
    DeliveryMethod,
    DeliveryState,
    Ground,
    ItemKind,
    LetterKind,
    Organization,
    Outcome,
    Request,
    RequestItem,
    Response,
    Status,
    VerificationOutcome,
)
from requests_app.selectors import organization_ids_for


def _scope(actor, organization: Organization | None) -> frozenset[int]:
    """The actor's organizations, or only ``organization`` when the actor may see it (else none)."""
    scope = organization_ids_for(actor)
    return scope & {organization.pk} if organization is not None else scope


def requests_in_period(*, actor, first: dt.date, last: dt.date, organization: Organization | None = None) -> QuerySet:
    """The requests of the actor's organizations (or of ``organization``, when the actor may see
    it) that reached us from ``first`` to ``last`` (dates included)."""
    scope = _scope(actor, organization)
    return Request.objects.filter(organization_id__in=scope, reached_on__gte=first, reached_on__lte=last)


def print_context(user) -> dict:
    """What every printed record says of itself: made at (Asia/Tokyo), by whom, in which language."""
    return {
        "made_at": timezone.localtime(),
        "made_by": user.get_full_name() or user.get_username(),
        "language": translation.get_language(),
    }


# ------------------------------------------------------------------------------------------
# The request ledger (受付台帳)
# ------------------------------------------------------------------------------------------
# (key, label): the ledger's columns, in the order of the page, the CSV, the workbook and the PDF.
LEDGER_COLUMNS: list[tuple[str, str]] = [
    ("reference", _("reference")),
    ("status", _("status")),
    ("assignee", _("assignee")),
    ("reached_on", _("reached us on")),
    ("complete_on", _("complete on")),
    ("channel", _("channel")),
    ("requester", _("requester")),
    ("kinds", _("kinds")),
    ("verification", _("identity check")),
    ("verified_on", _("checked on")),
    ("fee_due", _("fee due (yen)")),
    ("fee_received", _("fee received (yen)")),
    ("decisions", _("decision per item (ground)")),
    ("approval", _("approval")),
    ("response_methods", _("response method")),
    ("answered_on", _("answered on")),
    ("due_on", _("due on")),
    ("met", _("answered by the due date")),
    ("art39_on", _("Art. 39 date")),
    ("ended_on", _("ended on")),
]
DATE_COLUMNS = frozenset({"reached_on", "complete_on", "verified_on", "answered_on", "due_on", "art39_on", "ended_on"})
YEN_COLUMNS = frozenset({"fee_due", "fee_received"})


def ledger_cases(*, actor, organization: Organization, first: dt.date, last: dt.date) -> QuerySet:
    """The ledger's cases, oldest first, with what its rows read prefetched (6 queries per chunk
    whatever the number of rows). Cases of an organization the actor cannot see: none."""
    return (
        requests_in_period(actor=actor, first=first, last=last, organization=organization)
        .select_related("agent", "assignee")
        .prefetch_related(
            Prefetch("items", queryset=RequestItem.objects.select_related("decision").order_by("pk")),
            "verifications",
            "payments",
            Prefetch(
                "approvals",
                queryset=Approval.objects.filter(outcome=ApprovalOutcome.APPROVED).select_related("approver"),
            ),
            Prefetch(
                "responses",
                queryset=Response.objects.filter(letter__kind__in=ANSWERS, state=DeliveryState.SENT)
                .select_related("letter")
                .order_by("sent_on", "pk"),
                to_attr="answers_sent",
            ),
        )
        .order_by("reached_on", "reference")
    )


# Letters that answer a request: the result, or the notice of its end (not accepted, withdrawn).
ANSWERS = (LetterKind.RESULT, LetterKind.REJECTION, LetterKind.WITHDRAWAL)


class Labels:
    """Choice labels and fixed words in the active language, translated once per page or file
    (not once per row): ``labels.kind["disclosure"]`` → "開示"."""

    def __init__(self):
        def table(choices) -> dict[str, str]:
            return {value: str(label) for value, label in choices}

        self.status, self.channel = table(Status.choices), table(Channel.choices)
        self.agent_type, self.kind = table(AgentType.choices), table(ItemKind.choices)
        self.outcome, self.ground = table(Outcome.choices), table(Ground.choices)
        self.verification = table(VerificationOutcome.choices)
        self.approval = table(ApprovalOutcome.choices)
        self.method, self.letter = table(DeliveryMethod.choices), table(LetterKind.choices)
        self.self_, self.not_yet_approved = gettext("Self"), gettext("not yet approved")
        self.yes, self.no, self.overdue = gettext("yes"), gettext("no"), gettext("overdue, not answered")
        self.no_answer = gettext(" (no answer from the requester)")
        self.not_decided = gettext("%(kind)s: not decided")
        self.no_decision = gettext("%(kind)s: no decision (the case ended)")


def _decision_text(item, ended: bool, labels: Labels) -> str:
    kind = labels.kind[item.kind]
    decision = getattr(item, "decision", None)
    if decision is None:
        return (labels.no_decision if ended else labels.not_decided) % {"kind": kind}
    text = f"{kind}: {labels.outcome[decision.outcome]}"
    if decision.ground:
        text += f" ({labels.ground[decision.ground]})"
    return text


def _answer_text(response, labels: Labels) -> str:
    """How the answer left: the method; for the notice of an end, which notice and when."""
    method = labels.method[response.method]
    if response.letter.kind == LetterKind.RESULT:
        return method
    return f"{method}（{labels.letter[response.letter.kind]} {response.sent_on:%Y-%m-%d}）"


def ledger_row(case: Request, labels: Labels | None = None, today: dt.date | None = None) -> dict:
    """One ledger row of a case from ``ledger_cases``: dates as ``datetime.date`` (or None), yen
    as ``int``, the rest as text in the active language (``labels``, made once for many rows).
    ``met``: yes / no once answered, "overdue, not answered" while unanswered past the due date
    (Asia/Tokyo ``today``), "" otherwise."""
    labels = labels or Labels()
    today = today or timezone.localdate()
    items = list(case.items.all())
    verifications = list(case.verifications.all())
    verification = verifications[-1] if verifications else None
    approvals = list(case.approvals.all())
    approval = ""
    if approvals:
        latest = approvals[-1]
        who = latest.approver.get_full_name() or latest.approver.get_username()
        approval = f"{labels.approval[latest.outcome]} {timezone.localtime(latest.created_at):%Y-%m-%d} {who}"
    elif any(getattr(item, "decision", None) is not None and item.decision.needs_approval for item in items):
        approval = labels.not_yet_approved
    answered_on = case.answered_on
    if answered_on is not None:
        met = labels.yes if case.due_on is None or answered_on <= case.due_on else labels.no
    elif case.status in UNANSWERED_STATUSES and case.due_on is not None and case.due_on < today:
        met = labels.overdue
    else:
        met = ""
    return {
        "pk": case.pk,
        "reference": case.reference,
        "status": labels.status[case.status] + (labels.no_answer if case.withdrawal_deemed else ""),
        "reached_on": case.reached_on,
        "complete_on": case.complete_on,
        "channel": labels.channel[case.channel],
        "assignee": (case.assignee.get_full_name() or case.assignee.get_username()) if case.assignee_id else "",
        "requester": labels.agent_type[case.agent.agent_type] if case.agent_id else labels.self_,
        "kinds": "、".join(labels.kind[item.kind] for item in items),
        "verification": labels.verification[verification.outcome] if verification else "",
        "verified_on": verification.verified_on if verification else None,
        "fee_due": sum(item.fee_due for item in items),
        "fee_received": sum(payment.amount for payment in case.payments.all()),
        "decisions": "\n".join(_decision_text(item, case.ended_on is not None, labels) for item in items),
        "approval": approval,
        "response_methods": "、".join(dict.fromkeys(_answer_text(r, labels) for r in case.answers_sent)),
        "answered_on": answered_on,
        "due_on": case.due_on,
        "met": met,
        "art39_on": case.art39_on,
        "ended_on": case.ended_on,
    }


def ledger_rows(cases, chunk_size: int = 1000) -> Iterator[dict]:
    """The rows of ``ledger_cases`` (or of a page of it), read in chunks for a queryset (bounded
    memory for a long period); labels translated once."""
    labels, today = Labels(), timezone.localdate()
    whole = isinstance(cases, QuerySet) and not cases.query.is_sliced  # a page is read at once
    found = cases.iterator(chunk_size=chunk_size) if whole else cases
    for case in found:
        yield ledger_row(case, labels, today)


def ledger_table(rows: Iterable[dict]) -> Iterator[list]:
    """Rows as lists in ``LEDGER_COLUMNS`` order (for CSV and the workbook)."""
    keys = [key for key, _label in LEDGER_COLUMNS]
    for row in rows:
        yield [row[key] for key in keys]


# ------------------------------------------------------------------------------------------
# Annual statistics for the management review
# ------------------------------------------------------------------------------------------
SELF = "self"


def percentile(counts: dict[int, int], share: float) -> int | None:
    """The nearest-rank percentile of a distribution given as {value: how many}: the smallest value
    with at least ``share`` (0 < share ≤ 1) of the observations at or below it; None when empty.
    The median is ``share=0.5`` (of 4 values 1, 2, 3, 4 it is 2)."""
    total = sum(counts.values())
    if not total:
        return None
    rank = max(math.ceil(share * total), 1)
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if seen >= rank:
            return value
    return None  # pragma: no cover - unreachable: seen reaches total


@dataclass
class Statistics:
    """The figures of a period. Counts are of requests (or items, for kinds and outcomes);
    ``days_to_answer`` is {business days from complete to answered: requests}; rates in percent
    rounded to one decimal, None when nothing was answered."""

    first: dt.date
    last: dt.date
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)
    by_requester: dict[str, int] = field(default_factory=dict)
    by_organization: dict[int, int] = field(default_factory=dict)
    organizations: list = field(default_factory=list)
    items_by_kind: dict[str, int] = field(default_factory=dict)
    # (kind, outcome or "" when not decided) → items
    items_by_outcome: dict[tuple[str, str], int] = field(default_factory=dict)
    answered: int = 0
    answered_on_time: int = 0
    past_art39: int = 0
    days_to_answer: dict[int, int] = field(default_factory=dict)
    complaints: dict = field(default_factory=dict)

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.answered_on_time / self.answered, 1) if self.answered else None

    @property
    def median_days(self) -> int | None:
        return percentile(self.days_to_answer, 0.5)

    @property
    def p90_days(self) -> int | None:
        return percentile(self.days_to_answer, 0.9)

    @property
    def outcomes(self) -> dict[str, int]:
        totals: Counter = Counter()
        for (_kind, outcome), n in self.items_by_outcome.items():
            totals[outcome] += n
        return dict(totals)


def statistics(
    *, actor, first: dt.date, last: dt.date, organization: Organization | None = None, today: dt.date | None = None
) -> Statistics:
    """The figures of the requests that reached us from ``first`` to ``last`` (Asia/Tokyo dates,
    included), for the actor's organizations or one of them.

    - counts by status, channel, requester (self or agent type), organization; items by kind and
      by (kind, outcome);
    - answered: a result notice sent (``Request.answered_on``); on time: answered on or before the
      due date (or no due date was set); past Art. 39: answered after the Art. 39 date, or still
      unanswered with that date on or before ``today`` (Art. 39-1: the person may already sue);
    - business days to answer: from the day the request was complete (day 0) to the day it was
      answered, in the organization's business calendar (``BusinessCalendar.business_days_between``).

    - complaints and consultations received in the period, by kind and outcome, and by topic.

    Seven queries whatever the number of requests (the organizations and their closed days included).
    """
    today = today or timezone.localdate()
    cases = requests_in_period(actor=actor, first=first, last=last, organization=organization)
    stats = Statistics(first=first, last=last)
    by_status: Counter = Counter()
    by_channel: Counter = Counter()
    by_requester: Counter = Counter()
    by_organization: Counter = Counter()
    for row in (
        cases.order_by().values("organization_id", "status", "channel", "agent__agent_type").annotate(n=Count("pk"))
    ):
        by_status[row["status"]] += row["n"]
        by_channel[row["channel"]] += row["n"]
        by_requester[row["agent__agent_type"] or SELF] += row["n"]
        by_organization[row["organization_id"]] += row["n"]
    stats.total = sum(by_status.values())
    stats.by_status = {s: by_status[s] for s in Status if by_status[s]}
    stats.by_channel = {c: by_channel[c] for c in Channel if by_channel[c]}
    stats.by_requester = {k: by_requester[k] for k in [SELF, *AgentType] if by_requester[k]}
    stats.by_organization = dict(by_organization)

    items = RequestItem.objects.filter(request__in=cases.values("pk")).order_by()
    outcomes: Counter = Counter()
    for row in items.values("kind", "decision__outcome").annotate(n=Count("pk")):
        outcomes[(row["kind"], row["decision__outcome"] or "")] += row["n"]
    by_kind: Counter = Counter()
    for (kind, _outcome), n in outcomes.items():
        by_kind[kind] += n
    stats.items_by_kind = {k: by_kind[k] for k in ItemKind if by_kind[k]}
    order = {o: i for i, o in enumerate(["", *Outcome])}
    stats.items_by_outcome = dict(
        sorted(outcomes.items(), key=lambda kv: (list(ItemKind).index(kv[0][0]), order[kv[0][1]]))
    )

    totals = cases.order_by().aggregate(
        answered=Count("pk", filter=Q(answered_on__isnull=False)),
        on_time=Count(
            "pk", filter=Q(answered_on__isnull=False) & (Q(due_on__isnull=True) | Q(answered_on__lte=F("due_on")))
        ),
        past_art39=Count(
            "pk",
            filter=Q(art39_on__isnull=False)
            & (
                Q(answered_on__gt=F("art39_on"))
                | Q(answered_on__isnull=True, status__in=UNANSWERED_STATUSES, art39_on__lte=today)
            ),
        ),
    )
    stats.answered, stats.answered_on_time, stats.past_art39 = (
        totals["answered"],
        totals["on_time"],
        totals["past_art39"],
    )

    scope = _scope(actor, organization)
    organizations = list(Organization.objects.filter(pk__in=scope).prefetch_related("closed_days").order_by("code"))
    stats.organizations = [(o, stats.by_organization.get(o.pk, 0)) for o in organizations]
    calendars = {o.pk: BusinessCalendar.for_organization(o) for o in organizations}
    pairs = list(
        cases.filter(answered_on__isnull=False, complete_on__isnull=False)
        .order_by()
        .values_list("organization_id", "complete_on", "answered_on")
        .annotate(n=Count("pk"))
    )
    days: Counter = Counter()
    for organization_id in {pair[0] for pair in pairs}:
        mine = [pair for pair in pairs if pair[0] == organization_id]
        first_day = min(min(a, b) for _o, a, b, _n in mine)
        last_day = max(max(a, b) for _o, a, b, _n in mine)
        index = calendars[organization_id].business_day_index(first_day, last_day)
        for _o, complete_on, answered_on, n in mine:
            days[max(index[answered_on] - index[complete_on], 0)] += n
    stats.days_to_answer = dict(sorted(days.items()))
    stats.complaints = complaint_statistics(scope=scope, first=first, last=last)
    return stats


OPEN = "open"


def complaint_statistics(*, scope, first: dt.date, last: dt.date) -> dict:
    """Complaints and consultations received from ``first`` to ``last`` in the organizations
    ``scope`` (ids): {"total", "by_kind_outcome": {(kind, outcome or "open"): n},
    "by_topic": {topic: n}} — one query."""
    by_kind_outcome: Counter = Counter()
    by_topic: Counter = Counter()
    rows = (
        Complaint.objects.filter(organization_id__in=scope, received_on__gte=first, received_on__lte=last)
        .order_by()
        .values("kind", "topic", "outcome")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        by_kind_outcome[(row["kind"], row["outcome"] or OPEN)] += row["n"]
        by_topic[row["topic"]] += row["n"]
    return {
        "total": sum(by_topic.values()),
        "by_kind_outcome": dict(by_kind_outcome),
        "by_topic": {t: by_topic[t] for t in ComplaintTopic if by_topic[t]},
    }


# ------------------------------------------------------------------------------------------
# Charts (server-rendered SVG: no script, allowed by the Content-Security-Policy, printable)
# ------------------------------------------------------------------------------------------
CHART_COLOURS = ["#417690", "#79aec8", "#5b8c5a", "#b86e00", "#c9a227", "#8a1c17", "#6b4e9b", "#d1785c", "#2e6b6b"]


def bar_chart(
    rows: list[tuple[str, int]], *, width: int = 560, bar: int = 22, label_width: int = 230, single_colour=False
) -> dict:
    """Horizontal bars for (label, count) rows: geometry for an inline ``<svg>`` (user units); one
    colour for a distribution (``single_colour``), one per category otherwise."""
    peak = max((n for _label, n in rows), default=0) or 1
    span = width - label_width - 60
    bars = [
        {
            "y": index * (bar + 6),
            "w": max(span * n / peak, 1 if n else 0),
            "label": label,
            "n": n,
            "colour": CHART_COLOURS[0 if single_colour else index % len(CHART_COLOURS)],
        }
        for index, (label, n) in enumerate(rows)
    ]
    return {
        "width": width,
        "height": max(len(rows) * (bar + 6), bar),
        "bar": bar,
        "label_width": label_width,
        "text_y": bar * 0.7,
        "bars": bars,
    }
