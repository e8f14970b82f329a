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
from requests_app.models import (
    AgentType,
    DocumentKind,
    Ground,
    Outcome,
    PauseKind,
    PaymentMethod,
    Request,
    Status,
    VerificationOutcome,
)
from requests_app.seeds import COPRO, JUO, LEVERAGES, PLUS_UP, RECRUIT_CC
from tests.factories import document_data, register, subject_data

D = dt.date.fromisoformat
K = DocumentKind
TODAY = "2026-11-20"

# Measured: 11 — session, user, 2 permission lookups, the user's organizations, the organization
# and assignee filters, count, page of requests, their items, their organizations' closed days.
LIST_CAP = 14
# Measured: 11, and 13 for "due soon" with 200 requests: that filter also reads the organizations
# with their closed days (with 10 requests none is due soon, and an empty page skips two prefetches).
FILTERED_LIST_CAP = 16
# Measured: 16 for a bare case, 21 for a full one — the five extra are one query per kind of
# record that names a staff user (decided by, recorded by ×2, verified by, approver), not per row.
# Letters, responses, fulfilment tasks and the reminder log add one prefetch each: 25.
CASE_PAGE_CAP = 28
# Measured: 20 for a bare case, 21 for a full one — the case header only, plus one history query
# per kind of record (13, the agent's included), plus one for the staff users named in the diffs.
CASE_HISTORY_CAP = 32  # one query per kind of history and per kind of linked record named


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
@pytest.mark.parametrize(
    "query",
    [
        {"status": "all"},
        {"due": "soon"},
        {"q": "山田"},
        {"kind": "disclosure", "requester": "self"},
        {"assignee": "me", "organization": COPRO},
        {"o": "-7"},  # by due date, latest first
    ],
    ids=["all-statuses", "due-soon", "search-name", "kind-and-requester", "mine-in-one-organization", "by-due-date"],
)
def test_request_list_filtered(requests_in_list, seed_orgs, django_assert_max_num_queries, n, query):
    client = requests_in_list(n)
    if "organization" in query:
        query = {**query, "organization": seed_orgs[query["organization"]].pk}

    with django_assert_max_num_queries(FILTERED_LIST_CAP):
        response = client.get(reverse("admin:requests_app_request_changelist"), query)

    assert response.status_code == 200  # an invalid filter would redirect with ?e=1


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
    case = register(
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
    )
    services.request_pause(actor=actor, case=case, kind=PauseKind.FEE_SHORTFALL, note="不足額500円")
    services.payment_record(actor=actor, case=case, method=PaymentMethod.POSTAL_MONEY_ORDER, amount=500, received_on=on)
    services.request_start_verification(actor=actor, case=case)
    services.request_verify(actor=actor, case=case, outcome=VerificationOutcome.VERIFIED, name_matches=True)
    for item in case.items.exclude(kind="disclosure"):
        services.item_decide(actor=actor, item=item, outcome=Outcome.COMPLY)
    services.item_decide(
        actor=actor,
        item=case.items.get(kind="disclosure"),
        outcome=Outcome.PARTIAL,
        ground=Ground.BUSINESS_INTERFERENCE,
        reason_text="選考業務の適正な実施に著しい支障を及ぼすおそれがあるため。",
        method_used="paper",
    )
    services.request_submit_decisions(actor=actor, case=case)
    services.decision_approve(actor=manager, case=case, comment="承認")
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
