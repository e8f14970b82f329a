"""One operations table (requests_app.pipeline): services, buttons, action pages and the dashboard
agree on what a case may do next. Each test is a bug the table fixed."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from privacyops.audit.history import build_timeline
from requests_app import pipeline, selectors, services
from requests_app.actions import ACTIONS
from requests_app.models import Ground, LetterKind, Outcome, Status, VerificationOutcome
from requests_app.pipeline import OPERATIONS, TRANSITIONS, Op, allowed
from requests_app.seeds import JUO
from tests.desk import action_url, case_url
from tests.factories import DeskPolicyFactory, offered_method, register

D = dt.date.fromisoformat


@pytest.fixture(autouse=True)
def english_messages():
    with translation.override("en"):
        yield


def test_every_operation_leads_only_along_the_state_graph():
    """SPEC §4: every state an operation leads to is an edge of the graph from a state it runs in
    (a case's graph, or a complaint's for the complaint operations)."""
    for row in OPERATIONS.values():
        if not row.from_states:
            continue  # registration creates the case
        graph = pipeline.transitions_for(row.op)
        reachable = frozenset().union(*(graph[state] for state in row.from_states))
        assert row.to_states <= reachable, row.op
    assert pipeline.transitions_for(Op.WITHDRAW) is TRANSITIONS


def test_every_case_action_is_an_operation_of_the_table():
    assert {action.op for action in ACTIONS.values()} <= set(OPERATIONS)


def test_start_verification_keeps_the_note_in_history(travel, desk_user, policies):
    """The form asked for a note and dropped it; now it is on the case's history row."""
    travel("2026-11-20")
    case = register(desk_user, policies[JUO], reached_on=D("2026-11-20"))

    services.request_start_verification(actor=desk_user, case=case, note="本人確認書類を照合開始")

    row = case.history.latest()
    assert row.history_operation == Op.START_VERIFICATION
    assert row.history_change_reason == "本人確認書類を照合開始"
    entries = selectors.case_history(case)
    assert entries[0].operation_label == "Verification started"
    assert entries[0].note == "本人確認書類を照合開始"


def test_start_verification_from_the_case_page_stores_the_note(client, travel, desk_user, policies):
    travel("2026-11-20")
    case = register(desk_user, policies[JUO], reached_on=D("2026-11-20"))
    client.force_login(desk_user)

    response = client.post(action_url(case, "start-verification"), {"version": case.version, "note": "電話で確認"})

    assert response.status_code == 302
    assert case.history.latest().history_change_reason == "電話で確認"


@pytest.fixture
def refusal_awaiting_approval(travel, desk_user, manager_user, policies):
    """A JUO case whose refusal was decided by ``manager_user`` and re-saved by a colleague."""
    travel("2026-11-20")
    case = register(desk_user, policies[JUO], kinds=("correction",), reached_on=D("2026-11-20"))
    services.request_start_verification(actor=desk_user, case=case)
    services.request_verify(actor=desk_user, case=case, outcome=VerificationOutcome.VERIFIED)
    item = case.items.get()
    refusal = {"outcome": Outcome.REFUSE, "ground": Ground.NOT_INACCURATE, "reason_text": "記録は正確です。"}
    services.item_decide(actor=manager_user, item=item, **refusal)
    services.item_decide(actor=desk_user, item=item, **refusal)  # a colleague re-saves it
    services.request_submit_decisions(actor=desk_user, case=case)
    return case


def test_four_eyes_one_rule_for_the_dashboard_and_the_approval(
    client, refusal_awaiting_approval, manager_user, manager_user2
):
    """A manager listed under "awaiting my approval" can approve it; one who cannot is not listed."""
    case = refusal_awaiting_approval
    today = case.reached_on
    listed = {
        manager: [c.pk for c in selectors.dashboard_my_work(actor=manager, today=today)["awaiting_my_approval"]]
        for manager in (manager_user, manager_user2)
    }
    assert listed == {manager_user: [], manager_user2: [case.pk]}

    with pytest.raises(services.TransitionNotAllowed, match="Four eyes"):
        services.decision_approve(actor=manager_user, case=case)
    services.decision_approve(actor=manager_user2, case=case)
    case.refresh_from_db()
    assert case.status == Status.RESPONDING


def test_responded_case_with_an_unsent_acknowledgement_draft(client, travel, desk_user, policies):
    """The case page offers no "Send" link, the send page refuses, and so does the service."""
    travel("2026-11-20")
    case = register(desk_user, policies[JUO], kinds=("correction",), reached_on=D("2026-11-20"))
    acknowledgement = services.letter_draft(actor=desk_user, case=case, kind=LetterKind.ACKNOWLEDGEMENT)
    services.request_start_verification(actor=desk_user, case=case)
    services.request_verify(actor=desk_user, case=case, outcome=VerificationOutcome.VERIFIED)
    services.item_decide(actor=desk_user, item=case.items.get(), outcome=Outcome.NO_DATA)
    services.request_submit_decisions(actor=desk_user, case=case)
    result = services.letter_draft(actor=desk_user, case=case, kind=LetterKind.RESULT)
    services.response_send(actor=desk_user, letter=result, method=offered_method(case))
    case.refresh_from_db()
    assert case.status == Status.RESPONDED
    client.force_login(desk_user)

    page = client.get(case_url(case)).content.decode()
    send_page = client.get(action_url(case, "send-letter") + f"?letter={acknowledgement.pk}")

    assert f"send-letter/?letter={acknowledgement.pk}" not in page
    assert not allowed(case, Op.SEND_LETTER, user=desk_user, target=acknowledgement)
    assert send_page.status_code == 302  # back to the case, with the reason
    with translation.override("en"), pytest.raises(services.TransitionNotAllowed, match="not possible while"):
        services.response_send(actor=desk_user, letter=acknowledgement, method="post")


def test_registering_with_a_superseded_policy_is_refused_by_the_service(travel, desk_user, seed_orgs, policies):
    """The rule lived only in the intake form; the service now refuses too (keyed to the field)."""
    travel("2026-11-20")
    old = policies[JUO]
    DeskPolicyFactory(organization=seed_orgs[JUO], name="2026年11月改定", effective_from=D("2026-11-01"))

    with pytest.raises(ValidationError) as refused:
        register(desk_user, old, reached_on=D("2026-11-20"))

    assert "policy" in refused.value.message_dict
    assert "2026年11月改定" in refused.value.message_dict["policy"][0]


def test_an_ended_case_cannot_be_reassigned(travel, desk_user, desk_user2, policies):
    """One assignment path (request_update) with the ended-case guard."""
    travel("2026-11-20")
    case = register(desk_user, policies[JUO], reached_on=D("2026-11-20"))
    services.request_withdraw(actor=desk_user, case=case, reason="本人より取下げの連絡")

    with pytest.raises(services.TransitionNotAllowed):
        services.request_update(actor=desk_user, case=case, assignee=desk_user2)
    assert not hasattr(services, "request_assign")


def test_history_of_an_operation_is_one_row_per_record(travel, desk_user, policies):
    """Registration writes one case row (a creation) and one row per item."""
    travel("2026-11-20")
    case = register(desk_user, policies[JUO], kinds=("disclosure", "correction"), reached_on=D("2026-11-20"))

    timeline = build_timeline([("case", case.history.all(), str), ("items", pipeline_items_history(case), str)])

    assert [(e.model_label, e.change_type, e.operation) for e in timeline].count(("case", "+", Op.REGISTER)) == 1
    assert len(timeline) == 3


def pipeline_items_history(case):
    from requests_app.models import RequestItem

    return RequestItem.history.filter(request_id=case.pk)


def test_require_refuses_without_the_permission(travel, desk_user, policies):
    travel("2026-11-20")
    case = register(desk_user, policies[JUO], reached_on=D("2026-11-20"))
    case.status = Status.AWAITING_APPROVAL

    with pytest.raises(pipeline.TransitionNotAllowed, match="Your role does not allow"):
        pipeline.require(case, Op.APPROVE, actor=desk_user)
