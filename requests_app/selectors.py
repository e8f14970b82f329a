"""Reads, scoped to what the actor may see (SPEC §15). Query shape is decided here, once."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import models
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacyops.audit.history import build_timeline
from privacyops.audit.models import AccessKind, AccessLog
from requests_app import extensions, roles
from requests_app.deadlines import BusinessCalendar
from requests_app.models import (
    APPROVAL_OUTCOMES,
    COMPLAINT_AWAITING_REPLY,
    OPEN_STATUSES,
    Agent,
    Approval,
    Channel,
    Complaint,
    DataSubject,
    Decision,
    DeliveryLink,
    DeliveryState,
    DeskPolicy,
    DocumentFile,
    FulfilmentTask,
    IdentityDocument,
    ItemKind,
    LegalHold,
    Letter,
    LetterEnclosure,
    Organization,
    Pause,
    Payment,
    PortalAccess,
    ReminderLog,
    ReminderStatus,
    Request,
    RequestItem,
    Response,
    Status,
    Verification,
    open_q,
    overdue_q,
    unanswered_q,
)


def organization_ids_for(user) -> frozenset[int]:
    """Organizations whose cases ``user`` may see: all for superusers, else those granted.

    Cached on the user object for the length of a request or task.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_privacyops_org_ids", None)
    if cached is None:
        if user.is_superuser:
            cached = frozenset(Organization.objects.values_list("pk", flat=True))
        else:
            cached = frozenset(user.organizations.values_list("pk", flat=True))
        user._privacyops_org_ids = cached
    return cached


def organization_list(*, actor) -> QuerySet[Organization]:
    return Organization.objects.filter(pk__in=organization_ids_for(actor))


def request_list(*, actor) -> QuerySet[Request]:
    """Cases the actor may see, with what every list shows joined or prefetched."""
    return (
        Request.objects.filter(organization_id__in=organization_ids_for(actor))
        .select_related("organization", "data_subject", "agent", "assignee", "policy")
        .prefetch_related("items", Prefetch("organization__closed_days"))
    )


def request_header(*, actor, pk) -> Request:
    """One case with only what its header shows (history and similar pages)."""
    return (
        Request.objects.filter(organization_id__in=organization_ids_for(actor))
        .select_related("organization", "data_subject", "agent")
        .prefetch_related("items")
        .get(pk=pk)
    )


def request_get(*, actor, pk) -> Request:
    """One case with everything its page shows; ``Request.DoesNotExist`` outside the actor's scope."""
    return (
        Request.objects.filter(organization_id__in=organization_ids_for(actor))
        .select_related("organization", "policy", "data_subject", "agent", "assignee", "created_by")
        .prefetch_related(
            "organization__closed_days",
            "policy__agent_proof_rules",
            # Staff users named on a record are joined to it, not read by a query of their own per kind.
            Prefetch("items", queryset=RequestItem.objects.select_related("decision__decided_by")),
            Prefetch(
                "documents", queryset=IdentityDocument.objects.select_related("recorded_by", "disposed_by", "file")
            ),
            Prefetch("payments", queryset=Payment.objects.select_related("recorded_by")),
            "pauses",
            Prefetch("verifications", queryset=Verification.objects.select_related("verified_by")),
            Prefetch("approvals", queryset=Approval.objects.select_related("approver")),
            Prefetch("letters", queryset=Letter.objects.select_related("created_by")),
            Prefetch("responses", queryset=Response.objects.select_related("sent_by", "letter", "link")),
            Prefetch("tasks", queryset=FulfilmentTask.objects.select_related("system", "done_by", "item")),
            Prefetch(
                "reminders",
                queryset=ReminderLog.objects.select_related("recipient").order_by("-day", "-id"),
                to_attr="reminder_log",
            ),
            # Complaints about this case (issue 15): linked from its page.
            Prefetch("complaints", queryset=Complaint.objects.only("pk", "request_id", "status", "received_on")),
        )
        .get(pk=pk)
    )


RELATED_LIMIT = 20
RELATED_WHY = {
    "name_and_birth_date": _("same name and date of birth"),
    "email": _("same e-mail"),
}


def complaint_list(*, actor) -> QuerySet[Complaint]:
    """Complaints and consultations of the actor's organizations (issue 15)."""
    return Complaint.objects.filter(organization_id__in=organization_ids_for(actor)).select_related(
        "organization", "assignee", "request"
    )


# The history code of a drafted reply: ``pipeline.Op.COMPLAINT_DRAFT`` (selectors sit below the
# pipeline; a test holds the two equal).
COMPLAINT_DRAFT_OP = "complaint_draft"


def complaint_drafters(complaint: Complaint) -> set[int]:
    """Everyone who wrote a draft of the reply to ``complaint``, ever (its history): none of them
    may approve it — re-drafting someone else's text does not make it theirs (four eyes)."""
    return set(
        complaint.history.filter(history_operation=COMPLAINT_DRAFT_OP, history_user__isnull=False).values_list(
            "history_user_id", flat=True
        )
    )


def complaints_needing(*, actor, which: str, today: dt.date) -> Q:
    """The complaints of one dashboard figure, as a filter: "overdue" (reply due before
    ``today``, not sent), "approval" (a drafted reply waits for a manager), "mine" (open and
    assigned to ``actor``)."""
    if which == "overdue":
        return Q(status__in=COMPLAINT_AWAITING_REPLY, reply_due_on__lt=today)
    if which == "approval":  # a drafted reply waits, and not one this actor drafted (four eyes)
        drafted = Complaint.history.filter(id=OuterRef("pk"), history_operation=COMPLAINT_DRAFT_OP, history_user=actor)
        return Q(status="awaiting_approval") & ~Exists(drafted)
    if which == "mine":
        return Q(assignee=actor) & ~Q(status="closed")
    raise ValueError(which)


def dashboard_complaints(*, actor, today: dt.date) -> dict:
    """How many complaints need the desk: {"overdue", "approval", "mine"} — one query. "approval"
    counts only for those who may approve, and not the replies they drafted (four eyes)."""
    figures = {"overdue", "mine"}
    if actor.has_perm("requests_app.approve_complaint_reply"):
        figures.add("approval")
    return {"approval": 0} | complaint_list(actor=actor).aggregate(
        **{which: Count("pk", filter=complaints_needing(actor=actor, which=which, today=today)) for which in figures}
    )


def complaint_get(*, actor, pk) -> Complaint:
    """One complaint the actor may see, with who drafted and approved its reply; ``DoesNotExist``
    for another organization's."""
    return complaint_list(actor=actor).select_related("drafted_by", "approved_by", "created_by").get(pk=pk)


def related_requests(
    *,
    actor,
    organization_id: int,
    name_key: str = "",
    birth_date: dt.date | None = None,
    email: str = "",
    exclude_pk: int | None = None,
) -> list[tuple[Request, str]]:
    """The same person's other cases at ``organization_id`` that ``actor`` may see — the same
    full name (``DataSubject.name_key``: width, script, variant kanji folded) and date of birth,
    or the same e-mail (any case) — with why each matched (``RELATED_WHY`` key), open ones first,
    then the newest; at most ``RELATED_LIMIT``. Purged cases are never found. Two queries."""
    if organization_id not in organization_ids_for(actor):
        return []
    wanted = Q(pk__in=[])
    email = (email or "").strip()
    if name_key and birth_date:
        wanted |= Q(data_subject__name_key=name_key, data_subject__birth_date=birth_date)
    if email:
        wanted |= Q(data_subject__email__iexact=email)
    cases = (
        Request.objects.filter(organization_id=organization_id, purged_on__isnull=True)
        .filter(wanted)
        .exclude(pk=exclude_pk)
        .select_related("data_subject", "assignee")
        .prefetch_related("items")
        .annotate(ended=models.Case(models.When(status__in=OPEN_STATUSES, then=0), default=1))
        .order_by("ended", "-reached_on", "-pk")[:RELATED_LIMIT]
    )
    found = []
    for case in cases:
        same_name = (
            bool(name_key) and case.data_subject.name_key == name_key and case.data_subject.birth_date == birth_date
        )
        found.append((case, "name_and_birth_date" if same_name and birth_date else "email"))
    return found


def related_to_case(*, actor, case: Request) -> list[tuple[Request, str]]:
    """``related_requests`` for the person of ``case`` (its data subject)."""
    subject = case.data_subject
    return related_requests(
        actor=actor,
        organization_id=case.organization_id,
        name_key=subject.name_key,
        birth_date=subject.birth_date,
        email=subject.email,
        exclude_pk=case.pk,
    )


def policy_in_force(organization: Organization, on: dt.date | None = None) -> DeskPolicy | None:
    """The organization's desk policy in force on ``on`` (today by default)."""
    on = on or timezone.localdate()
    return organization.policies.filter(effective_from__lte=on).order_by("-effective_from").first()


def portal_policy(organization: Organization) -> DeskPolicy | None:
    """The policy the online form follows today: the one in force, when the organization's online
    pages are open (``PortalSettings.enabled``) and that policy accepts the web form channel;
    otherwise ``None`` (the portal is closed)."""
    portal = getattr(organization, "portal", None)
    if portal is None or not portal.enabled:
        return None
    policy = policy_in_force(organization)
    if policy is None or Channel.WEB_FORM not in (policy.channels or []):
        return None
    return policy


def portal_organization(code: str) -> Organization | None:
    """The organization whose online pages are at ``code`` (with its ``portal`` settings joined),
    open or not; ``None`` when no organization has that code or it has no online pages."""
    return Organization.objects.select_related("portal").filter(code=code, portal__isnull=False).first()


def portal_case(case_id: int, organization: Organization) -> Request | None:
    """What the status page shows of a case opened with its PIN: the case with its items,
    documents, pauses, payments (the fee) and sent responses (with their download links); 6 queries."""
    return (
        Request.objects.select_related("organization", "policy", "data_subject", "agent")
        .prefetch_related(
            "items",
            "documents",
            "pauses",
            "payments",
            Prefetch(
                "responses",
                queryset=Response.objects.filter(state=DeliveryState.SENT)
                .select_related("letter", "link")
                .order_by("-sent_on", "-pk"),
            ),
        )
        .filter(pk=case_id, organization=organization, purged_on__isnull=True)
        .first()
    )


def portal_downloads(case: Request) -> dict:
    """How often the requester downloaded a result by link (``count``) and when last (``last``,
    or ``None``): from the access log, one query."""
    return AccessLog.objects.filter(request=case, kind=AccessKind.PORTAL_DOWNLOAD).aggregate(
        count=Count("pk"), last=models.Max("at")
    )


def organization_managers(organization: Organization) -> QuerySet:
    """The active desk managers of ``organization`` (reminders and notices to managers)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=roles.DESK_MANAGER, organizations=organization)
        .distinct()
        .order_by("pk")
    )


def colleagues(user) -> QuerySet:
    """The staff users ``user`` may see (least privilege): those working for one of ``user``'s
    organizations, and ``user``; every one for a superuser."""
    users = get_user_model().objects.all()
    if user.is_superuser:
        return users
    return users.filter(Q(pk=user.pk) | Q(organizations__in=organization_ids_for(user))).distinct()


# Who can work a case: holds ``requests_app.change_request`` (desk staff and managers; auditors
# read only and are never assigned: a case would wait on someone who cannot act on it).
WORKS_CASES = (
    Q(is_superuser=True)
    | Q(groups__permissions__codename="change_request", groups__permissions__content_type__app_label="requests_app")
    | Q(user_permissions__codename="change_request", user_permissions__content_type__app_label="requests_app")
)


def assignable_staff(*, actor, organization: Organization | None = None) -> QuerySet:
    """Active staff who may work cases (``WORKS_CASES``) of ``organization`` (or of any
    organization ``actor`` sees)."""
    org_ids = [organization.pk] if organization is not None else list(organization_ids_for(actor))
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | Q(organizations__in=org_ids))
        .filter(WORKS_CASES)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def case_history(case: Request) -> list:
    """The case's whole story, newest first: the request and everything recorded on it, with diffs."""
    item_kinds = {item.pk: item.get_kind_display() for item in case.items.all()}
    document_kinds = {document.pk: document.get_kind_display() for document in case.documents.all()}

    def on_case(model):
        return model.history.filter(request_id=case.pk).select_related("history_user")

    sources = [
        (
            Request._meta.verbose_name,
            Request.history.filter(id=case.pk).select_related("history_user"),
            lambda row: row.reference,
        ),
        (RequestItem._meta.verbose_name, on_case(RequestItem), lambda row: row.get_kind_display()),
        (
            IdentityDocument._meta.verbose_name,
            on_case(IdentityDocument),
            lambda row: f"{row.get_kind_display()} / {row.get_holder_display()}",
        ),
        (
            DocumentFile._meta.verbose_name,
            DocumentFile.history.filter(document__request_id=case.pk).select_related("history_user"),
            lambda row: f"{document_kinds.get(row.document_id, '')} — {row.get_content_type_display()} {row.size:,} B",
        ),
        (Payment._meta.verbose_name, on_case(Payment), lambda row: f"{row.amount:,}"),
        (Pause._meta.verbose_name, on_case(Pause), lambda row: row.get_kind_display()),
        (Verification._meta.verbose_name, on_case(Verification), lambda row: row.get_outcome_display()),
        (Decision._meta.verbose_name, on_case(Decision), lambda row: item_kinds.get(row.item_id, f"#{row.item_id}")),
        (Approval._meta.verbose_name, on_case(Approval), lambda row: row.get_outcome_display()),
        (Letter._meta.verbose_name, on_case(Letter), lambda row: row.get_kind_display()),
        (Response._meta.verbose_name, on_case(Response), lambda row: row.get_method_display()),
        # Files sent with letters and download links, also those of drafts discarded since.
        (
            LetterEnclosure._meta.verbose_name,
            LetterEnclosure.history.filter(
                letter_id__in=Letter.history.filter(request_id=case.pk).values("id")
            ).select_related("history_user"),
            lambda row: f"{row.name} ({row.size:,} B)",
        ),
        (
            DeliveryLink._meta.verbose_name,
            DeliveryLink.history.filter(
                response_id__in=Response.history.filter(request_id=case.pk).values("id")
            ).select_related("history_user"),
            lambda row: f"{timezone.localtime(row.expires_at):%Y-%m-%d %H:%M}",
        ),
        (PortalAccess._meta.verbose_name, on_case(PortalAccess), lambda row: "PIN"),
        (
            LegalHold._meta.verbose_name,
            LegalHold.history.filter(Q(request_id=case.pk) | Q(data_subject_id=case.data_subject_id)).select_related(
                "history_user"
            ),
            lambda row: f"{row.placed_on:%Y-%m-%d}",
        ),
        (
            FulfilmentTask._meta.verbose_name,
            on_case(FulfilmentTask),
            lambda row: item_kinds.get(row.item_id, f"#{row.item_id}"),
        ),
        (
            DataSubject._meta.verbose_name,
            DataSubject.history.filter(id=case.data_subject_id).select_related("history_user"),
            lambda row: f"{row.family_name} {row.given_name}".strip(),
        ),
    ]
    if case.agent_id:
        sources.append(
            (
                Agent._meta.verbose_name,
                Agent.history.filter(id=case.agent_id).select_related("history_user"),
                lambda row: f"{row.family_name} {row.given_name}".strip(),
            )
        )
    sources.extend(extensions.case_history_sources(case))  # e.g. consents withdrawn through the case
    return build_timeline(sources)


# ------------------------------------------------------------------------------------------
# Dashboard (the start page after login)
# ------------------------------------------------------------------------------------------
def due_within_business_days(*, actor, today: dt.date, days: int) -> Q:
    """Due from today to ``days`` business days on, by each organization's own calendar."""
    bound = Q(pk__in=[])
    for organization in organization_list(actor=actor).prefetch_related("closed_days"):
        limit = BusinessCalendar.for_organization(organization).add_business_days(today, days)
        bound |= Q(organization=organization, due_on__gte=today, due_on__lte=limit)
    return bound


def reminders_failed_count(*, actor) -> int:
    """Reminders that could not be delivered, for the managers' attention."""
    return ReminderLog.objects.filter(
        status=ReminderStatus.FAILED, request__organization_id__in=organization_ids_for(actor)
    ).count()


def _dashboard_cases(actor) -> QuerySet[Request]:
    """Cases for the start page's lists: only what a row shows joined (organization, person,
    assignee) — no items nor calendars, which the lists do not show (issue 16: one query a list)."""
    return Request.objects.filter(organization_id__in=organization_ids_for(actor)).select_related(
        "organization", "data_subject", "assignee"
    )


def dashboard_my_work(*, actor, today: dt.date) -> dict:
    """The actor's cases by urgency, and the unassigned ones. One query per list."""
    mine = _dashboard_cases(actor).filter(assignee=actor)
    soon = due_within_business_days(actor=actor, today=today, days=3)
    work = {
        "overdue": list(mine.overdue(today).order_by("due_on", "pk")[:50]),
        "due_soon": list(mine.unanswered().filter(soon).order_by("due_on", "pk")[:50]),
        "awaiting_requester": list(mine.filter(status=Status.AWAITING_REQUESTER).order_by("reached_on", "pk")[:50]),
        "unassigned": list(
            _dashboard_cases(actor).open().filter(assignee__isnull=True).order_by("reached_on", "pk")[:50]
        ),
    }
    if actor.has_perm("requests_app.approve_decision"):
        work["awaiting_my_approval"] = list(
            _dashboard_cases(actor)
            .filter(status=Status.AWAITING_APPROVAL)
            .exclude(approval_barred(actor))
            .order_by("due_on", "pk")[:50]
        )
    return work


DASHBOARD_LIMIT = 50


def dashboard_team_work(*, actor, today: dt.date) -> dict:
    """What a manager (or an auditor) watches on the start page: the team's cases in the actor's
    organizations, each with its assignee — ``overdue``, ``due_soon`` (within 3 business days, by
    each organization's calendar), ``awaiting_approval`` (each with ``barred``: the actor decided
    a refusal on it, so four eyes bar them from approving it, SPEC §4) and ``unassigned``; at most
    ``DASHBOARD_LIMIT`` each, most urgent first; ``totals`` of each list; and ``by_state``: open
    cases per organization and state (``_by_state``). One query per list, and one pass over the
    open cases for the totals and the states together (issue 16)."""
    team = _dashboard_cases(actor)
    soon = due_within_business_days(actor=actor, today=today, days=3)
    which = {  # the conditions of Request.objects.overdue(), .unanswered(), .open()
        "overdue": overdue_q(today),
        "due_soon": unanswered_q() & soon,
        "awaiting_approval": Q(status=Status.AWAITING_APPROVAL),
        "unassigned": open_q() & Q(assignee__isnull=True),
    }
    lists = {
        "overdue": team.filter(which["overdue"]).order_by("due_on", "pk"),
        "due_soon": team.filter(which["due_soon"]).order_by("due_on", "pk"),
        "awaiting_approval": team.filter(which["awaiting_approval"])
        .annotate(barred=approval_barred(actor))
        .order_by("due_on", "pk"),
        "unassigned": team.filter(which["unassigned"]).order_by("reached_on", "pk"),
    }
    work = {name: list(cases[:DASHBOARD_LIMIT]) for name, cases in lists.items()}
    groups = list(
        Request.objects.filter(organization_id__in=organization_ids_for(actor), status__in=OPEN_STATUSES)
        .values("organization_id", "status")
        .annotate(n=Count("id"), **{name: Count("id", filter=condition) for name, condition in which.items()})
        .order_by()
    )
    work["totals"] = {name: sum(group[name] for group in groups) for name in which}
    work["by_state"] = _by_state(actor, groups)
    return work


def approval_barred(actor) -> Q:
    """Cases on which ``actor`` ever decided (in any saved version) an item that needs approval:
    four eyes bars them from approving it (SPEC §4). The one rule behind ``decision_approve`` and
    the dashboard's "awaiting my approval" — a colleague re-saving the decision changes nothing."""
    decided = Decision.history.filter(request_id=OuterRef("pk"), decided_by_id=actor.pk, outcome__in=APPROVAL_OUTCOMES)
    return Q(Exists(decided))


def _by_state(actor, groups: list[dict]) -> dict:
    """Open cases per organization and state, from rows of (organization_id, status, n):
    {"statuses": [...], "rows": [(organization, [n per status], total)], "totals": [...], "total"}."""
    by_org: dict[int, dict[str, int]] = {}
    for row in groups:
        by_org.setdefault(row["organization_id"], {})[row["status"]] = row["n"]
    statuses = [s for s in Status if s in OPEN_STATUSES]
    rows = []
    for organization in organization_list(actor=actor).order_by("code"):
        per_state = by_org.get(organization.pk, {})
        rows.append((organization, [per_state.get(s, 0) for s in statuses], sum(per_state.values())))
    totals = [sum(row[1][i] for row in rows) for i in range(len(statuses))]
    return {"statuses": statuses, "rows": rows, "totals": totals, "total": sum(totals)}


def _month_starts(today: dt.date, months: int) -> list[dt.date]:
    first = today.replace(day=1)
    starts = []
    for back in range(months - 1, -1, -1):
        index = first.year * 12 + first.month - 1 - back
        starts.append(dt.date(index // 12, index % 12 + 1, 1))
    return starts


def _monthly_figures(name: str, actor, today: dt.date, months: int, compute):
    """``compute()`` kept in the cache for ``DASHBOARD_FIGURES_SECONDS`` per set of organizations
    and day (issue 16: the 12-month figures read every request of the year; a manager's start page
    must not). Returns (figures, the time they were counted at, Asia/Tokyo)."""
    ids = ",".join(str(pk) for pk in sorted(organization_ids_for(actor)))
    key = f"dashboard:{name}:{today.isoformat()}:{months}:{hashlib.sha256(ids.encode()).hexdigest()[:16]}"
    found = cache.get(key)
    if found is None:
        found = (compute(), timezone.localtime())
        cache.set(key, found, settings.DASHBOARD_FIGURES_SECONDS)
    return found


def dashboard_on_time(*, actor, today: dt.date, months: int = 12) -> list[dict]:
    """Per month: cases answered (``Request.answered_on``: the last result notice sent, as the
    statistics count them) and how many by their due date. Cached (``_monthly_figures``)."""
    return _monthly_figures("on_time", actor, today, months, lambda: _on_time(actor, today, months))[0]


def _on_time(actor, today: dt.date, months: int) -> list[dict]:
    starts = _month_starts(today, months)
    rows = (
        Request.objects.filter(organization_id__in=organization_ids_for(actor), answered_on__gte=starts[0])
        .annotate(month=TruncMonth("answered_on"))
        .values("month")
        .annotate(
            answered=Count("pk"),
            on_time=Count("pk", filter=Q(due_on__isnull=True) | Q(answered_on__lte=models.F("due_on"))),
        )
        .order_by()
    )
    found = {(row["month"].year, row["month"].month): row for row in rows}
    result = []
    for start in starts:
        row = found.get((start.year, start.month), {"answered": 0, "on_time": 0})
        rate = round(100 * row["on_time"] / row["answered"]) if row["answered"] else None
        result.append({"month": start, "answered": row["answered"], "on_time": row["on_time"], "rate": rate})
    return result


def dashboard_received(*, actor, today: dt.date, months: int = 12) -> dict:
    """Requests received per month by kind, ready for a stacked bar chart (server-rendered SVG),
    with ``as_of``: when they were counted (cached ``DASHBOARD_FIGURES_SECONDS``, ``_monthly_figures``)."""
    counts, as_of = _monthly_figures("received", actor, today, months, lambda: _received(actor, today, months))
    return _received_chart(counts, _month_starts(today, months), as_of)


def _received(actor, today: dt.date, months: int) -> dict:
    starts = _month_starts(today, months)
    rows = (
        RequestItem.objects.filter(
            request__organization_id__in=organization_ids_for(actor), request__reached_on__gte=starts[0]
        )
        .annotate(month=TruncMonth("request__reached_on"))
        .values("month", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(row["month"].year, row["month"].month, row["kind"]): row["n"] for row in rows}


def _received_chart(counts: dict, starts: list[dt.date], as_of) -> dict:
    kinds = list(ItemKind)
    colours = ["#417690", "#79aec8", "#5b8c5a", "#b86e00", "#c9a227", "#8a1c17", "#6b4e9b", "#d1785c", "#2e6b6b"]
    width, height, left, bottom, top = 720, 240, 36, 28, 12
    per_month = [sum(counts.get((s.year, s.month, k), 0) for k in kinds) for s in starts]
    peak = max(per_month) or 1
    bar = (width - left) / len(starts)
    scale = (height - bottom - top) / peak
    bars = []
    for index, start in enumerate(starts):
        y = height - bottom
        for kind, colour in zip(kinds, colours, strict=True):
            n = counts.get((start.year, start.month, kind), 0)
            if n:
                h = n * scale
                y -= h
                bars.append(
                    {
                        "x": left + index * bar + 4,
                        "y": y,
                        "w": bar - 8,
                        "h": h,
                        "colour": colour,
                        "title": f"{start:%Y-%m} {kind.label}: {n}",
                    }
                )
    labels = [{"x": left + i * bar + bar / 2, "text": f"{s:%m}", "total": per_month[i]} for i, s in enumerate(starts)]
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "labels": labels,
        "axis_y": height - bottom,
        "peak": peak,
        "legend": [{"label": k.label, "colour": c} for k, c in zip(kinds, colours, strict=True)],
        "first": starts[0],
        "total": sum(per_month),
        "as_of": as_of,
    }


# ------------------------------------------------------------------------------------------
# The audit trail's scope (registered with privacyops.audit in RequestsAppConfig.ready)
# ------------------------------------------------------------------------------------------
def organizations_by_ids(ids) -> QuerySet[Organization]:
    return Organization.objects.filter(pk__in=ids).order_by("code")


def case_scope_lookup(reference: str, organization_ids) -> dict | None:
    """{"request", "subject", "agent"} ids of the case ``reference`` within the organizations, or None."""
    found = (
        Request.objects.filter(reference=reference, organization_id__in=organization_ids)
        .values("pk", "data_subject_id", "agent_id")
        .first()
    )
    if found is None:
        return None
    return {"request": found["pk"], "subject": found["data_subject_id"], "agent": found["agent_id"]}


def case_references(ids) -> dict[int, str]:
    """{case id: reference} for the given case ids (one query)."""
    return dict(Request.objects.filter(pk__in=ids).values_list("pk", "reference"))
