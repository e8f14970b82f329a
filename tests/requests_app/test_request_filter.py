"""The request list and its parameters (``requests_app.filters.RequestFilter``).

A malformed or out-of-scope value of any parameter is a 400 page that names the parameter and its
value, with no case on it: never a 500, never the unfiltered list, never the admin's ``?e=1``
redirect. Valid values select exactly the cases they say. The sidebar's filters delegate to the
FilterSet, so the list and ``RequestFilter(...).qs`` agree for every choice.

Cases are brought to their status through the services (``case_in``); the dates each filter looks
at (due date, completeness) are then set on the row directly, so each case has exactly the dates a
test needs.
"""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from requests_app import admin as request_admin
from requests_app import services
from requests_app.admin import RequestAdmin
from requests_app.filters import RequestFilter
from requests_app.models import AgentType, DeskPolicy, DocumentKind, Organization, Request
from requests_app.seeds import COPRO, JUO, LEVERAGES, PLUS_UP, RECRUIT_CC
from tests.factories import (
    OrganizationFactory,
    UserFactory,
    case_in,
    document_data,
    make_desk_user,
    make_desk_user2,
    make_seed_orgs,
    register,
    subject_data,
)
from tests.once import kept_for_the_module, tokyo

D = dt.date.fromisoformat
TODAY = "2026-11-20"  # a Friday
URL = "/admin/requests_app/request/"
REFUSED = "この条件では一覧を表示できません。"


# ------------------------------------------------------------------------------------------
# The desk: one case per situation, each named
# ------------------------------------------------------------------------------------------
ME, COLLEAGUE = "me", "colleague"
# name: organization, kinds, channel, agent type, assignee, status, due (days from today), reached (days ago)
CASES = {
    "mine_received": (PLUS_UP, ("correction",), "post", None, ME, "received", 10, 1),
    "mine_overdue": (RECRUIT_CC, ("erasure",), "email", "minor_legal_rep", ME, "in_progress", -2, 30),
    "colleague_verifying": (COPRO, ("disclosure",), "email", "entrusted", COLLEAGUE, "verifying", 0, 3),
    "unassigned_waiting": (JUO, ("disclosure", "purpose_notice"), "counter", None, None, "awaiting_requester", None, 5),
    "unassigned_art39": (COPRO, ("purpose_notice", "suspension_of_use"), "post", None, None, "in_progress", 20, 15),
    "mine_closed": (LEVERAGES, ("disclosure",), "post", None, ME, "closed", -40, 60),
    "colleague_withdrawn": (PLUS_UP, ("deletion",), "phone", "entrusted", COLLEAGUE, "withdrawn", None, 9),
}  # fmt: skip
OPEN_CASES = {"mine_received", "mine_overdue", "colleague_verifying", "unassigned_waiting", "unassigned_art39"}


def build_desk(desk_user, desk_user2, policies):
    """The cases above (by name), registered today."""
    today = D(TODAY)
    staff = {ME: desk_user, COLLEAGUE: desk_user2, None: None}
    cases = {}
    for i, (name, (code, kinds, channel, agent_type, who, status, due, reached)) in enumerate(CASES.items()):
        agent = {"agent_type": agent_type, "family_name": "代理", "given_name": f"{i}"} if agent_type else None
        if status in {"in_progress", "closed"}:  # verified: the documents the policy asks for
            documents = [document_data(DocumentKind.DRIVERS_LICENSE, holder="agent" if agent else "data_subject")]
            if agent:
                documents.append(document_data(DocumentKind.FAMILY_REGISTER_EXTRACT))
        else:
            documents = []
        case = case_in(
            status,
            desk_user,
            policies[code],
            kinds=kinds,
            channel=channel,
            # Some channels are outside the desk's policy: accepted with a reason, as staff would.
            channel_override_reason="" if channel in policies[code].channels else "窓口判断で受付",
            reached_on=today - dt.timedelta(days=reached),
            subject=subject_data(
                family_name=f"山田{i}", email=f"subject{i}@example.jp", birth_date=dt.date(2012, 1, 1)
            ),
            agent=agent,
            assignee=staff[who],
            documents=documents,
        )
        if who is None and case.assignee_id is not None:  # taking a case on assigns it: give it back
            services.request_update(actor=desk_user, case=case, assignee=None)
        # The dates each filter looks at, set as the test needs them (the status is the services').
        Request.objects.filter(pk=case.pk).update(
            due_on=None if due is None else today + dt.timedelta(days=due),
            complete_on=None if due is None else today - dt.timedelta(days=reached),
        )
        cases[name] = Request.objects.get(pk=case.pk)
    return cases


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """The seed organizations, the two desk users (conftest's) and the cases above, built once for the
    module, today (the services take about a second for them): each test starts from exactly this
    state and is rolled back to it (``kept_for_the_module``). Their primary keys."""
    with kept_for_the_module(django_db_blocker):
        with django_db_blocker.unblock(), time_machine.travel(tokyo(TODAY), tick=True):
            orgs = make_seed_orgs()
            policies = {code: organization.policies.get() for code, organization in orgs.items()}
            users = make_desk_user(orgs), make_desk_user2(orgs)
            cases = build_desk(*users, policies)
        yield {
            "orgs": {code: organization.pk for code, organization in orgs.items()},
            "users": [user.pk for user in users],
            "cases": {name: case.pk for name, case in cases.items()},
        }


# Conftest's fixtures of the same names, here the module's (read again for each test).
@pytest.fixture
def seed_orgs(built, db):
    found = Organization.objects.in_bulk(built["orgs"].values())
    return {code: found[pk] for code, pk in built["orgs"].items()}


@pytest.fixture
def desk_user(built, db):
    return get_user_model().objects.get(pk=built["users"][0])


@pytest.fixture
def desk_user2(built, db):
    return get_user_model().objects.get(pk=built["users"][1])


@pytest.fixture
def desk(built, travel, desk_user, client):
    """The cases above (by name), registered today; the client signed in as ``desk_user``."""
    travel(TODAY)
    client.force_login(desk_user)
    found = Request.objects.in_bulk(built["cases"].values())
    return {name: found[pk] for name, pk in built["cases"].items()}


def shown(response, cases) -> set[str]:
    """Names of the cases on the page (checked by reference in the HTML, and in the change list)."""
    page = response.content.decode()
    on_page = {name for name, case in cases.items() if case.reference in page}
    in_list = {name for name, case in cases.items() if case in response.context["cl"].result_list}
    assert on_page == in_list
    return on_page


def assert_refused(response, cases, *phrases):
    """400, the list's error note with ``phrases``, and not one case on the page."""
    assert response.status_code == 400
    page = response.content.decode()
    assert REFUSED in page
    for phrase in phrases:
        assert phrase in page
    assert shown(response, cases) == set()
    assert list(response.context["cl"].result_list) == []


# ------------------------------------------------------------------------------------------
# The bug: a non-numeric assignee was a 500
# ------------------------------------------------------------------------------------------
def test_assignee_abc_is_refused_with_a_message_not_a_500(desk, client):
    response = client.get("/admin/requests_app/request/?assignee=abc")

    assert_refused(response, desk, "「担当者」の値「abc」は選択できません。")


def test_the_message_is_in_the_users_language(desk, client, desk_user):
    desk_user.language = "en"
    desk_user.save(update_fields=["language"])

    response = client.get(URL, {"assignee": "abc"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "The list cannot be shown with these conditions." in page
    assert "“abc” cannot be chosen for “assignee”." in page


# ------------------------------------------------------------------------------------------
# Malformed values of every parameter
# ------------------------------------------------------------------------------------------
MALFORMED = ["abc", "999999", "-1", "1;drop", "1 OR 1=1", "%", "０"]
LABELS = {
    "status": "状態",
    "due": "期限",
    "kind": "請求の種類",
    "organization": "事業者",
    "assignee": "担当者",
    "channel": "受付方法",
    "requester": "請求者",
    "o": "並び順",
    "p": "ページ",
}


@pytest.mark.parametrize("value", MALFORMED)
@pytest.mark.parametrize("parameter", ["status", "due", "kind", "organization", "assignee", "channel", "requester"])
def test_a_malformed_choice_is_refused(desk, client, parameter, value):
    response = client.get(URL, {parameter: value})

    assert_refused(response, desk, f"「{LABELS[parameter]}」の値「{value}」は選択できません。")


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("status", "OPEN"),
        ("status", "closed "),
        ("due", "Overdue"),
        ("kind", "disclosure,erasure"),
        ("organization", "1.0"),
        ("organization", "99999999999999999999999"),
        ("assignee", "ME"),
        ("assignee", "1e3"),
        ("channel", "post;"),
        ("requester", "SELF"),
    ],
)
def test_a_near_miss_is_refused(desk, client, parameter, value):
    response = client.get(URL, {parameter: value})

    assert_refused(response, desk, f"「{LABELS[parameter]}」の値「{value}」は選択できません。")


@pytest.mark.parametrize("value", ["abc", "999999", "1;drop", "3", "11", "--1", "1..5", "1.", "-8.x", "%", "１"])
def test_a_malformed_ordering_is_refused(desk, client, value):
    """``o`` takes sortable column numbers (the bulk actions' check box is column 0): 3 (data
    subject) and 11 (no such column) are not."""
    response = client.get(URL, {"o": value})

    assert_refused(
        response, desk, f"「並び順」の値「{value}」は使えません。", "並べ替えできる列の番号（1, 2, 6, 7, 8, 10）"
    )


@pytest.mark.parametrize("value", ["abc", "-1", "0", "1;drop", "1.5", "%", "１", "9999999999"])
def test_a_malformed_page_is_refused(desk, client, value):
    response = client.get(URL, {"p": value})

    assert_refused(response, desk, f"「ページ」の値「{value}」は使えません。1以上のページ番号を指定してください。")


@pytest.mark.parametrize("value", ["2", "999999"])
def test_a_page_beyond_the_list_is_refused(desk, client, value):
    """The admin would show page 1 (one page) or redirect with ``?e=1`` (several pages)."""
    response = client.get(URL, {"p": value, "status": "all"})

    assert_refused(response, desk, f"一覧の{value}ページ目はありません。")


def test_a_page_beyond_a_list_of_several_pages_is_refused(desk, client, monkeypatch):
    monkeypatch.setattr(RequestAdmin, "list_per_page", 2)

    assert shown(client.get(URL, {"p": "3", "status": "all", "o": "1"}), desk)  # 7 cases: pages 1–4
    assert_refused(client.get(URL, {"p": "5", "status": "all"}), desk, "一覧の5ページ目はありません。")
    assert_refused(client.get(URL, {"p": "999999", "status": "all"}), desk, "一覧の999999ページ目はありません。")


def test_another_organizations_id_is_refused_not_an_empty_list(desk, client, other_org_user):
    other = other_org_user.organizations.get()

    response = client.get(URL, {"organization": other.pk, "status": "all"})

    assert_refused(response, desk, f"「事業者」の値「{other.pk}」は選択できません。")


def test_staff_the_actor_cannot_assign_are_refused(desk, client, other_org_user):
    """A user of another organization, and a user who is not staff: not among ``assignable_staff``."""
    outsider = UserFactory(username="not_staff", is_staff=False)

    for user in (other_org_user, outsider):
        response = client.get(URL, {"assignee": user.pk})
        assert_refused(response, desk, f"「担当者」の値「{user.pk}」は選択できません。")


def test_an_unknown_parameter_is_refused(desk, client):
    """The admin would redirect with ``?e=1``, or filter by any field of the case (``status__in``)."""
    for query in ({"foo": "1"}, {"status__in": "closed,withdrawn"}, {"channel__exact": "post"}):
        response = client.get(URL, query)
        assert_refused(response, desk, f"一覧に「{next(iter(query))}」という条件はありません。")


def test_a_search_with_a_null_character_is_refused(desk, client):
    response = client.get(URL, {"q": "山田\x00"})

    assert_refused(response, desk, "「検索」の値「山田\ufffd」は使えません。")


def test_every_refused_parameter_is_named_and_valid_ones_are_kept_in_the_sidebar(desk, client):
    response = client.get(URL, {"status": "all", "assignee": "abc", "kind": "x", "o": "3"})

    assert_refused(
        response,
        desk,
        "「担当者」の値「abc」は選択できません。",
        "「請求の種類」の値「x」は選択できません。",
        "「並び順」の値「3」は使えません。",
    )
    cl = response.context["cl"]
    assert set(cl.params) == {"status"}  # the sidebar's links keep what was valid
    assert "status=all" in cl.get_query_string({"due": "overdue"})
    assert "担当者" in response.content.decode()  # the sidebar is there to choose a valid value


def test_a_refused_list_is_not_logged_as_a_view_and_a_shown_one_is(desk, client, monkeypatch):
    logged = []
    monkeypatch.setattr(request_admin, "log_access", lambda request, kind, **kw: logged.append(kind))

    client.get(URL, {"assignee": "abc"})
    client.get(URL, {"p": "999999"})
    assert logged == []

    assert client.get(URL, {"assignee": "me"}).status_code == 200
    assert len(logged) == 1


def test_the_refused_page_is_for_those_who_may_see_the_list_only(desk, auditor_user, client):
    """An auditor may view the list (and is told about a bad value); nobody else gets further than login."""
    client.logout()
    response = client.get(URL, {"assignee": "abc"})
    assert response.status_code == 302

    client.force_login(auditor_user)
    assert client.get(URL, {"assignee": "abc"}).status_code == 400


# ------------------------------------------------------------------------------------------
# Valid values select exactly what they say
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, OPEN_CASES),
        ({"status": "open"}, OPEN_CASES),
        ({"status": "all"}, set(CASES)),
        ({"status": "awaiting_requester"}, {"unassigned_waiting"}),
        ({"status": "closed"}, {"mine_closed"}),
        ({"status": "withdrawn"}, {"colleague_withdrawn"}),
        ({"assignee": "me"}, {"mine_received", "mine_overdue"}),
        ({"assignee": "me", "status": "all"}, {"mine_received", "mine_overdue", "mine_closed"}),
        ({"assignee": "none"}, {"unassigned_waiting", "unassigned_art39"}),
        ({"requester": "self"}, {"mine_received", "unassigned_waiting", "unassigned_art39"}),
        ({"requester": "entrusted", "status": "all"}, {"colleague_verifying", "colleague_withdrawn"}),
        ({"requester": "minor_legal_rep"}, {"mine_overdue"}),
        ({"kind": "disclosure"}, {"colleague_verifying", "unassigned_waiting"}),
        ({"kind": "purpose_notice", "status": "all"}, {"unassigned_waiting", "unassigned_art39"}),
        ({"channel": "email"}, {"mine_overdue", "colleague_verifying"}),
        ({"channel": "phone", "status": "all"}, {"colleague_withdrawn"}),
        ({"due": "overdue"}, {"mine_overdue"}),
        ({"due": "today"}, {"colleague_verifying"}),
        ({"due": "soon"}, {"colleague_verifying"}),
        ({"due": "week"}, {"mine_overdue", "colleague_verifying"}),  # Monday 16 to Sunday 22 November
        ({"due": "art39"}, {"mine_overdue", "unassigned_art39"}),
        ({"due": "not_started"}, {"unassigned_waiting"}),
        ({"status": "all", "assignee": "none", "kind": "purpose_notice", "channel": "post"}, {"unassigned_art39"}),
        ({"q": "山田2"}, {"colleague_verifying"}),
        ({"o": "-8.1"}, OPEN_CASES),
        ({"p": "1"}, OPEN_CASES),
        ({"status": "", "due": "", "assignee": ""}, OPEN_CASES),  # empty: the defaults
        ({"_facets": "True"}, OPEN_CASES),
    ],
    ids=lambda value: "&".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else None,
)
def test_valid_values_select_exactly_their_cases(desk, client, query, expected):
    response = client.get(URL, query)

    assert response.status_code == 200
    assert shown(response, desk) == expected


def test_organization_selects_that_organizations_cases(desk, client, seed_orgs):
    response = client.get(URL, {"organization": seed_orgs[COPRO].pk})

    assert response.status_code == 200
    assert shown(response, desk) == {"colleague_verifying", "unassigned_art39"}


def test_assignee_by_id_selects_that_colleagues_cases(desk, client, desk_user2):
    response = client.get(URL, {"assignee": desk_user2.pk, "status": "all"})

    assert response.status_code == 200
    assert shown(response, desk) == {"colleague_verifying", "colleague_withdrawn"}


def test_ordering_by_due_date_latest_first(desk, client):
    """``o=-8``: the due column (index 8 after the check box), latest first; cases without a due
    date come first."""
    response = client.get(URL, {"o": "-8", "status": "all"})

    assert response.status_code == 200
    due = [case.due_on for case in response.context["cl"].result_list]
    dated = [d for d in due if d is not None]
    assert dated == sorted(dated, reverse=True)
    assert len(due) == len(CASES)


def test_search_by_the_last_digits_of_the_reference_still_works(desk, client):
    case = desk["unassigned_art39"]

    response = client.get(URL, {"q": str(int(case.reference.rsplit("-", 1)[1]))})

    assert response.status_code == 200
    assert shown(response, desk) == {"unassigned_art39"}


# ------------------------------------------------------------------------------------------
# One meaning per filter: the sidebar delegates to RequestFilter
# ------------------------------------------------------------------------------------------
FILTERED = ["status", "due", "kind", "organization", "assignee", "channel", "requester"]


def test_the_sidebar_and_the_filterset_agree_for_every_choice(desk, client, desk_user):
    checked = 0
    for name in FILTERED:
        for value, _label in RequestFilter(actor=desk_user).choices(name):
            query = {name: value} if name == "status" else {name: value, "status": "all"}
            response = client.get(URL, query)
            assert response.status_code == 200, query
            filterset = RequestFilter(query, actor=desk_user)
            assert filterset.is_valid(), query
            assert set(response.context["cl"].result_list) == set(filterset.qs), query
            checked += 1
    assert checked > 40


def test_the_sidebar_offers_the_filtersets_choices(desk, client, desk_user, seed_orgs):
    response = client.get(URL)

    specs = {spec.parameter_name: spec for spec in response.context["cl"].filter_specs}
    assert list(specs) == FILTERED
    for name, spec in specs.items():
        assert [str(v) for v, _ in spec.lookup_choices] == [
            str(v) for v, _ in RequestFilter(actor=desk_user).choices(name)
        ]
    assert {v for v, _ in specs["organization"].lookup_choices} == {o.pk for o in seed_orgs.values()}


def test_the_filterset_on_its_own(desk, desk_user, other_org_user):
    """Scoped to the actor (never the unscoped manager), open by default, nothing while refused."""
    assert set(RequestFilter({}, actor=desk_user).qs) == {desk[name] for name in OPEN_CASES}
    assert set(RequestFilter({}, actor=other_org_user).qs) == set()
    refused = RequestFilter({"assignee": "abc", "status": "all"}, actor=desk_user)
    assert not refused.is_valid()
    assert refused.qs.count() == 0
    with translation.override("ja"):
        assert refused.error_messages() == ["「担当者」の値「abc」は選択できません。"]


def test_the_set_up_lists_share_the_organization_filter_and_refuse_a_bad_one(desk, client, seed_orgs):
    """Desk policies are filtered by organization too: a bad value shows none (it was a 500)."""
    url = reverse("admin:requests_app_deskpolicy_changelist")

    response = client.get(url, {"organization": seed_orgs[COPRO].pk})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == list(DeskPolicy.objects.filter(organization=seed_orgs[COPRO]))

    for value in ("abc", OrganizationFactory().pk):
        response = client.get(url, {"organization": value})
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == []


# ------------------------------------------------------------------------------------------
# Queries: the same count for 10 and for 30 cases
# ------------------------------------------------------------------------------------------
def register_cases(first, n, actor, colleague, policies):
    codes = [PLUS_UP, RECRUIT_CC, JUO, COPRO, LEVERAGES]
    for i in range(first, first + n):
        register(
            actor,
            policies[codes[i % len(codes)]],
            kinds=("disclosure",) if i % 2 else ("correction", "deletion"),
            reached_on=D(TODAY) - dt.timedelta(days=i % 20),
            subject=subject_data(family_name=f"山田{i}", email=f"q{i}@example.jp"),
            agent={"agent_type": AgentType.ENTRUSTED, "family_name": "代理", "given_name": f"{i}"} if i % 3 else None,
            assignee=(actor, colleague, None)[i % 3],
        )


@pytest.mark.parametrize(
    "query",
    [
        {"assignee": "me", "status": "all"},
        {"organization": COPRO, "kind": "disclosure", "o": "-8.1"},
        {"requester": "entrusted", "channel": "post", "due": "not_started"},
    ],
    ids=["mine", "organization-kind-sorted", "agent-channel-due"],
)
def test_a_filtered_list_costs_the_same_queries_for_10_and_30_cases(
    travel, desk_user, desk_user2, policies, seed_orgs, client, query
):
    travel(TODAY)
    client.force_login(desk_user)
    if "organization" in query:
        query = {**query, "organization": seed_orgs[query["organization"]].pk}
    counts = []
    for first, n in ((0, 10), (10, 20)):  # 10 cases, then 30
        register_cases(first, n, desk_user, desk_user2, policies)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, query)
        assert response.status_code == 200
        assert response.context["cl"].result_list  # a page with cases on it (an empty one skips prefetches)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
