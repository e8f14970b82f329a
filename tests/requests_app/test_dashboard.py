"""The start page after login (issue 6): today's work by urgency; the desk's figures for managers."""

import datetime as dt

import pytest

from requests_app import services
from requests_app.models import DocumentKind, Outcome, PauseKind, Request, Status, VerificationOutcome
from requests_app.seeds import COPRO, JUO, LEVERAGES
from tests.factories import case_in, document_data, offered_method, register

D = dt.date.fromisoformat


@pytest.fixture
def desk_day(travel, desk_user, desk_user2, manager_user, policies):
    """On Fri 2026-12-25: desk_a has an overdue case, one due soon, one waiting; one is unassigned;
    a partial refusal by desk_a waits for the manager."""
    cases = {}
    travel("2026-12-01")
    cases["overdue"] = register(
        desk_user,
        policies[LEVERAGES],
        reached_on=D("2026-12-01"),
        assignee=desk_user,
        documents=[document_data(DocumentKind.PASSPORT)],
    )  # due 2026-12-21
    travel("2026-12-08")
    cases["waiting"] = register(desk_user, policies[JUO], reached_on=D("2026-12-08"), assignee=desk_user)
    services.request_pause(actor=desk_user, case=cases["waiting"], kind=PauseKind.INFORMATION, note="期間の確認")
    travel("2026-12-07")
    cases["soon"] = register(
        desk_user,
        policies[LEVERAGES],
        reached_on=D("2026-12-07"),
        assignee=desk_user,
        documents=[document_data(DocumentKind.PASSPORT)],
    )  # due 2026-12-25 (today)
    cases["unassigned"] = register(desk_user2, policies[JUO], reached_on=D("2026-12-07"))
    services.request_update(actor=desk_user2, case=cases["unassigned"], assignee=None)
    cases["approval"] = case_in(
        Status.AWAITING_APPROVAL,
        desk_user,
        policies[COPRO],
        kinds=("correction",),
        reached_on=D("2026-12-07"),
        documents=[document_data(DocumentKind.DRIVERS_LICENSE)],
    )
    travel("2026-12-25")
    return cases


def references(response, key):
    return [case.reference for case in response.context["work"][key]]


def test_desk_staff_see_their_work_by_urgency(client, desk_day, desk_user):
    client.force_login(desk_user)

    response = client.get("/admin/")

    assert response.status_code == 200
    assert references(response, "overdue") == [desk_day["overdue"].reference]
    # Due today: the new case, and the refusal waiting for the manager (still desk_a's case).
    assert references(response, "due_soon") == [desk_day["soon"].reference, desk_day["approval"].reference]
    assert references(response, "awaiting_requester") == [desk_day["waiting"].reference]
    assert references(response, "unassigned") == [desk_day["unassigned"].reference]
    assert "awaiting_my_approval" not in response.context["work"]
    assert "counts" not in response.context  # the desk's figures are for managers and auditors
    page = response.content.decode()
    assert "今日の業務" in page and "期限超過" in page and "請求の受付登録" in page


def team(response, key):
    return [
        (case.reference, case.assignee.username if case.assignee else None) for case in response.context["team"][key]
    ]


def test_managers_see_the_teams_cases_with_their_assignees(client, desk_day, desk_user, desk_user2, manager_user):
    """A manager's start page: the team's overdue, due-within-3 and awaiting-approval cases with who
    has each (here all desk_a's), and the unassigned one — not only the manager's own cases."""
    colleague_late = register(desk_user2, desk_day["overdue"].policy, reached_on=D("2026-12-01"), assignee=desk_user2)
    Request.objects.filter(pk=colleague_late.pk).update(due_on=D("2026-12-22"))
    client.force_login(manager_user)

    response = client.get("/admin/")

    assert "work" not in response.context  # the manager has no case of their own here
    assert team(response, "overdue") == [
        (desk_day["overdue"].reference, "desk_a"),
        (colleague_late.reference, "desk_b"),
    ]
    assert team(response, "due_soon") == [
        (desk_day["soon"].reference, "desk_a"),
        (desk_day["approval"].reference, "desk_a"),
    ]
    assert team(response, "awaiting_approval") == [(desk_day["approval"].reference, "desk_a")]
    assert team(response, "unassigned") == [(desk_day["unassigned"].reference, None)]
    assert response.context["team"]["totals"]["overdue"] == 2
    page = response.content.decode()
    assert "チームの案件" in page and "決裁待ち" in page
    overdue = page[page.index('id="team-overdue"') : page.index('id="team-due-soon"')]
    assert "田中 美咲" in overdue and "鈴木 翔太" in overdue  # the assignees, by name


def test_managers_see_approvals_and_the_desks_figures(client, desk_day, manager_user):
    client.force_login(manager_user)

    response = client.get("/admin/")

    assert team(response, "awaiting_approval") == [(desk_day["approval"].reference, "desk_a")]
    assert not response.context["team"]["awaiting_approval"][0].barred
    counts = response.context["counts"]
    assert counts["total"] == 5
    by_org = {org.code: total for org, _cells, total in counts["rows"]}
    assert by_org == {"copro": 1, "juo": 2, "leverages": 2, "plusup": 0, "recruit-cc": 0}
    received = response.context["received"]
    assert received["total"] == 5 and len(received["labels"]) == 12
    page = response.content.decode()
    assert "事業者別・状態別の未完了案件" in page and "<svg" in page and "月別の期限内回答率" in page


def test_the_decider_does_not_see_their_own_refusal_as_awaiting_approval(client, desk_day, desk_user):
    from django.contrib.auth.models import Group

    desk_user.groups.add(Group.objects.get(name="desk manager"))
    client.force_login(desk_user)

    response = client.get("/admin/")
    [case] = response.context["team"]["awaiting_approval"]
    assert case.barred  # shown to the manager who decided it, marked: another manager approves
    assert "別の管理者が承認します" in response.content.decode()


def test_on_time_rate_per_month(client, travel, desk_user, manager_user, policies):
    travel("2026-11-02")
    late = register(desk_user, policies[JUO], kinds=("correction",), reached_on=D("2026-11-02"))
    on_time = register(desk_user, policies[JUO], kinds=("correction",), reached_on=D("2026-11-02"))
    for case, answer_day in ((on_time, "2026-11-10"), (late, "2026-12-01")):
        travel(answer_day)
        services.request_start_verification(actor=desk_user, case=case)
        services.request_verify(actor=desk_user, case=case, outcome=VerificationOutcome.VERIFIED)
        services.item_decide(actor=desk_user, item=case.items.get(), outcome=Outcome.NO_DATA)
        services.request_submit_decisions(actor=desk_user, case=case)
        letter = services.letter_draft(actor=desk_user, case=case, kind="result")
        services.response_send(actor=desk_user, letter=letter, method=offered_method(case))
    client.force_login(manager_user)

    months = {m["month"]: m for m in client.get("/admin/").context["on_time"]}

    assert months[D("2026-11-01")] == {"month": D("2026-11-01"), "answered": 1, "on_time": 1, "rate": 100}
    assert months[D("2026-12-01")] == {"month": D("2026-12-01"), "answered": 1, "on_time": 0, "rate": 0}


@pytest.mark.parametrize(
    "language,texts",
    [("ja", ["今日の業務", "チームの案件", "決裁待ち"]), ("en", ["work", "The team's cases", "Unassigned"])],
)
def test_dashboard_in_the_users_language(client, desk_day, manager_user, language, texts):
    import html

    manager_user.language = language
    manager_user.save()
    client.force_login(manager_user)

    page = html.unescape(client.get("/admin/").content.decode())
    for text in texts:
        assert text in page, text


def test_dashboard_queries_are_bounded(client, desk_day, manager_user, django_assert_max_num_queries):
    client.force_login(manager_user)

    with django_assert_max_num_queries(40):
        client.get("/admin/")
