"""Query caps of the desk screens (STYLE: caps that hold for 10 and for 200 rows).

Each cap is the count measured when it was set, plus a small margin (noted beside it). The same
cap must hold for a small and a large input, so a query per row — per request in the list, per
item, document, payment or history row on a case — fails the test long before the margin is used.
"""

import datetime as dt
import itertools

import pytest
from django.urls import reverse

from requests_app import services
from requests_app.deadlines import BusinessCalendar
from requests_app.models import (
    AgentType,
    DocumentKind,
    PauseKind,
    PaymentMethod,
    Request,
    Status,
)
from requests_app.seeds import COPRO, JUO, LEVERAGES, PLUS_UP, RECRUIT_CC
from tests.factories import REFUSALS, case_in, document_data, register, subject_data

D = dt.date.fromisoformat
K = DocumentKind
TODAY = "2026-11-20"

# Measured (issue 16), the same for 10 and 200 cases: session, user, 2 permission lookups (7 with
# the session refresh); ours: the user's organizations and their closed days (due soon), 4 lists of
# the team's work, their 4 totals and the open cases by state in one query, the organizations,
# failed reminders, the complaints' figures; the 12-month figures come from the cache.
DASHBOARD_QUERIES = 18

# Every page also refreshes the idle session (SESSION_SAVE_EVERY_REQUEST): a savepoint, the
# session's UPDATE and its release — three statements, whatever the page.
SESSION_REFRESH = 3
# Measured: 11 — session, user, 2 permission lookups, the user's organizations, the organization
# and assignee filters, count, page of requests, their items, their organizations' closed days.
LIST_CAP = 14 + SESSION_REFRESH
# Measured: 11, and 13 for "due soon" with 200 requests: that filter also reads the organizations
# with their closed days (with 10 requests none is due soon, and an empty page skips two prefetches).
FILTERED_LIST_CAP = 16 + SESSION_REFRESH
# Measured: 16 for a bare case, 21 for a full one — the five extra are one query per kind of
# record that names a staff user (decided by, recorded by ×2, verified by, approver), not per row.
# Letters, responses, fulfilment tasks and the reminder log add one prefetch each: 25. What we hold
# about the person (consents app) adds four, however many records: purposes, consents, records, stops.
# The same person's other cases add two (the cases and their items), however many there are.
# Legal holds (issue 15) add one: the open holds on the case and its person.
# Issue 16: the staff users named on decisions, payments, verifications and approvals are joined to
# their records (four queries fewer). Measured: 29 for a full case.
CASE_PAGE_CAP = 29 + SESSION_REFRESH
# Measured: 20 for a bare case, 21 for a full one — the case header only, plus one history query
# per kind of record (13, the agent's included), plus one for the staff users named in the diffs.
# The requester portal (issue 14) added three kinds: files sent with letters, download links, online access.
# Legal holds (issue 15) add one more.
CASE_HISTORY_CAP = 38 + SESSION_REFRESH  # one query per kind of history and per kind of linked record named


# ------------------------------------------------------------------------------------------
# The request list
# ------------------------------------------------------------------------------------------
# (organization, kinds, documents) cycled over: the five seed organizations and their kinds.
MIX = [
    (PLUS_UP, ("correction",), []),
    (RECRUIT_CC, ("erasure", "suspension_of_use"), [K.HEALTH_INSURANCE_CARD, K.PENSION_BOOK]),
    (JUO, ("disclosure",), []),
    (COPRO, ("disclosure", "purpose_notice"), [K.DRIVERS_LICENSE]),
    (LEVERAGES, ("third_party_record_disclosure", "suspension_of_provision"), [K.MY_NUMBER_CARD_FRONT]),
]


def register_many(n, actor, policies):
    """``n`` requests: every third from an agent, every second assigned, reached over three weeks."""
    for i, (code, kinds, documents) in zip(range(n), itertools.cycle(MIX), strict=False):
        agent = None
        if i % 3 == 0:
            agent = {"agent_type": AgentType.ENTRUSTED, "family_name": "代理", "given_name": f"{i}"}
            documents = [*documents, K.POWER_OF_ATTORNEY]
        register(
            actor,
            policies[code],
            kinds=kinds,
            reached_on=D(TODAY) - dt.timedelta(days=i % 20),
            subject=subject_data(family_name=f"山田{i}", email=f"subject{i}@example.jp"),
            agent=agent,
            documents=[document_data(kind) for kind in documents],
            assignee=actor if i % 2 else None,
        )


@pytest.fixture
def requests_in_list(travel, desk_user, policies, client):
    """``requests_in_list(n)``: ``n`` requests registered today; the client signed in as desk staff."""

    def make(n):
        travel(TODAY)
        register_many(n, desk_user, policies)
        client.force_login(desk_user)
        return client

    return make


@pytest.mark.parametrize("n", [10, 200])
def test_request_list(requests_in_list, django_assert_max_num_queries, n):
    client = requests_in_list(n)

    with django_assert_max_num_queries(LIST_CAP):
        response = client.get(reverse("admin:requests_app_request_changelist"))

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == min(n, 50)  # one page of 50


@pytest.mark.parametrize("n", [10, 200])
def test_start_page_of_a_manager(requests_in_list, manager_user, client, django_assert_num_queries, n):
    """The manager's start page: exactly the same queries for 10 and 200 cases — one per list of
    the team's work and its count, the open cases by state, the complaints; the 12-month figures
    counted once and then read from the cache (issue 16)."""
    requests_in_list(n)
    client.force_login(manager_user)
    client.get(reverse("admin:index"))  # the first view counts the monthly figures and keeps them

    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    team = response.context["team"]
    assert team["totals"]["unassigned"] == n - n // 2 and len(team["unassigned"]) == min(n - n // 2, 50)
    assert response.context["received"]["total"] == sum(
        len(MIX[i % len(MIX)][1]) for i in range(n)
    )  # every item of every case, from the cache


def due_soon(case):
    """Due within 3 business days of TODAY by the case's organization's calendar."""
    bound = BusinessCalendar.for_organization(case.organization).add_business_days(D(TODAY), 3)
    return case.due_on is not None and case.due_on <= bound


# Each query, with what a case must be to be listed (checked in Python, not by the FilterSet).
FILTERED = {
    "all-statuses": ({"status": "all"}, lambda case, me: True),
    "due-soon": ({"due": "soon"}, lambda case, me: due_soon(case)),
    "search-name": ({"q": "山田1"}, lambda case, me: case.data_subject.family_name.startswith("山田1")),
    "kind-and-requester": (
        {"kind": "disclosure", "requester": "self"},
        lambda case, me: case.agent_id is None and any(item.kind == "disclosure" for item in case.items.all()),
    ),
    "mine-in-one-organization": (
        {"assignee": "me", "organization": COPRO},
        lambda case, me: case.assignee_id == me.pk and case.organization.code == COPRO,
    ),
    "by-due-date": ({"o": "-8"}, lambda case, me: True),  # by due date, latest first (0: the check box)
}


@pytest.mark.parametrize("n", [10, 200])
@pytest.mark.parametrize("name", FILTERED)
def test_request_list_filtered(requests_in_list, seed_orgs, desk_user, django_assert_max_num_queries, n, name):
    client = requests_in_list(n)
    query, listed = FILTERED[name]
    if "organization" in query:
        query = {**query, "organization": seed_orgs[query["organization"]].pk}

    with django_assert_max_num_queries(FILTERED_LIST_CAP):
        response = client.get(reverse("admin:requests_app_request_changelist"), query)

    assert response.status_code == 200
    cases = Request.objects.select_related("organization", "data_subject").prefetch_related("items")
    expected = {case.pk for case in cases if listed(case, desk_user)}
    cl = response.context["cl"]
    if n == 200:
        assert expected, "the data set must hold cases this filter selects"
    assert cl.result_count == len(expected)
    page = list(cl.result_list)
    assert len(page) == min(len(expected), 50) and {case.pk for case in page} <= expected
    if name == "by-due-date":
        due_dates = [case.due_on for case in page]
        dated = [due for due in due_dates if due is not None]
        assert dated == sorted(dated, reverse=True)
        # Cases without a due date (the clock not started) come last both ways (issue 16).
        assert due_dates == dated + [None] * (len(page) - len(dated))


# ------------------------------------------------------------------------------------------
# The case page and the case history
# ------------------------------------------------------------------------------------------
def bare_case(actor, manager, policies):
    """One item, nothing recorded on it yet."""
    return register(actor, policies[PLUS_UP], kinds=("correction",), reached_on=D(TODAY))


def full_case(actor, manager, policies, extra_kinds=(), extra_documents=()):
    """An agent's request with items, documents, two payments, a pause for the fee, a verification,
    decisions (one partial) and a manager's approval."""
    on = D(TODAY)

    def fee_paid_late(case):
        services.request_pause(actor=actor, case=case, kind=PauseKind.FEE_SHORTFALL, note="不足額500円")
        services.payment_record(
            actor=actor, case=case, method=PaymentMethod.POSTAL_MONEY_ORDER, amount=500, received_on=on
        )

    case = case_in(
        Status.RESPONDING,
        actor,
        policies[COPRO],
        kinds=("disclosure", "purpose_notice", *extra_kinds),
        reached_on=on,
        agent={"agent_type": AgentType.ENTRUSTED, "family_name": "山田", "given_name": "一郎", "relationship": "長男"},
        documents=[
            document_data(K.POWER_OF_ATTORNEY),
            document_data(K.SEAL_REGISTRATION_CERTIFICATE),
            document_data(K.DRIVERS_LICENSE, holder="agent"),
            *(document_data(kind) for kind in extra_documents),
        ],
        payments=[{"method": PaymentMethod.POSTAL_MONEY_ORDER, "amount": 500, "received_on": on}],
        at_intake=fee_paid_late,
        decisions={"disclosure": REFUSALS["disclosure"]},
        approver=manager,
    )
    case = Request.objects.get(pk=case.pk)
    assert case.status == Status.RESPONDING
    assert (case.payments.count(), case.pauses.count(), case.verifications.count()) == (2, 1, 1)
    return case


def larger_full_case(actor, manager, policies):
    """As ``full_case``, with five items and nine documents: a query per row would show here."""
    return full_case(
        actor,
        manager,
        policies,
        extra_kinds=("correction", "addition", "deletion"),
        extra_documents=[K.HEALTH_INSURANCE_CARD, K.RESIDENT_REGISTER_COPY, K.PASSPORT] * 2,
    )


CASE_SHAPES = [bare_case, full_case, larger_full_case]


@pytest.fixture
def case_of_shape(travel, desk_user, manager_user, policies, client):
    def make(shape):
        travel(TODAY)
        case = shape(desk_user, manager_user, policies)
        client.force_login(desk_user)
        return case

    return make


@pytest.mark.parametrize("shape", CASE_SHAPES, ids=lambda shape: shape.__name__)
def test_case_page(case_of_shape, client, django_assert_max_num_queries, shape):
    case = case_of_shape(shape)

    with django_assert_max_num_queries(CASE_PAGE_CAP):
        response = client.get(reverse("admin:requests_app_request_change", args=[case.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert case.reference in page
    assert len(response.context["items"]) == case.items.count()
    for document in case.documents.all():
        assert document.get_kind_display() in page


@pytest.mark.parametrize("shape", CASE_SHAPES, ids=lambda shape: shape.__name__)
def test_case_history(case_of_shape, client, django_assert_max_num_queries, shape):
    case = case_of_shape(shape)

    with django_assert_max_num_queries(CASE_HISTORY_CAP):
        response = client.get(reverse("admin:requests_app_request_case_history", args=[case.pk]))

    assert response.status_code == 200
    entries = response.context["entries"]
    assert len(entries) >= case.history.count() + case.items.count() + case.documents.count()
