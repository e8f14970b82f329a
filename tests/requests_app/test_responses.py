"""From responding to closed (SPEC §4, §6, §9, §10): responses, fulfilment tasks, disposal, closing."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from requests_app import services
from requests_app.models import (
    AgentType,
    DocumentKind,
    LetterKind,
    Outcome,
    Status,
    TaskStatus,
    VerificationOutcome,
)
from requests_app.seeds import JUO, LEVERAGES, PLUS_UP, RECRUIT_CC
from tests.factories import document_data, offered_method, provision_on_record, register, subject_data

D = dt.date.fromisoformat
K = DocumentKind


@pytest.fixture(autouse=True)
def english_messages():
    with translation.override("en"):
        yield


def reload(case):
    case.refresh_from_db()
    return case


def granted(case, actor, outcome=Outcome.COMPLY, ground=""):
    services.request_start_verification(actor=actor, case=case)
    services.request_verify(actor=actor, case=case, outcome=VerificationOutcome.VERIFIED, name_matches=True)
    for item in case.items.all():
        services.item_decide(actor=actor, item=item, outcome=outcome, ground=ground)
    services.request_submit_decisions(actor=actor, case=case)
    return reload(case)


@pytest.fixture
def recruit_erasure(travel, desk_user, policies):
    """SCENARIOS §4: a mother's request for erasure of her son's application data, granted."""
    travel("2026-11-20")
    case = register(
        desk_user,
        policies[RECRUIT_CC],
        kinds=("erasure",),
        reached_on=D("2026-11-16"),
        channel="phone",
        form_received_on=D("2026-11-20"),
        agent={"agent_type": AgentType.MINOR_LEGAL_REPRESENTATIVE, "family_name": "佐々木", "given_name": "恵子"},
        subject=subject_data(birth_date=D("2009-04-02")),
        documents=[
            document_data(K.FAMILY_REGISTER_EXTRACT, holder="agent", received_on=D("2026-11-20")),
            document_data(
                K.ELIGIBILITY_CERTIFICATE, holder="agent", received_on=D("2026-11-20"), insurer_number="by_desk"
            ),
            document_data(K.PENSION_BOOK, holder="agent", received_on=D("2026-11-20")),
        ],
    )
    return granted(case, desk_user, ground="no_longer_needed")


def send_result(case, actor, **kwargs):
    letter = services.letter_draft(actor=actor, case=case, kind=LetterKind.RESULT)
    kwargs.setdefault("method", offered_method(case))
    return services.response_send(actor=actor, letter=letter, **kwargs)


def test_granting_an_erasure_creates_a_task_per_system(recruit_erasure):
    tasks = recruit_erasure.tasks.select_related("system")

    assert sorted(t.system.name for t in tasks) == ["CRMシステム", "応募者データベース"]
    assert {t.status for t in tasks} == {TaskStatus.OPEN}
    assert tasks[0].history.latest().history_operation in {"approve", "submit_decisions"}


def test_refused_items_create_no_task(travel, desk_user, policies):
    travel("2026-11-20")
    case = register(desk_user, policies[JUO], kinds=("correction",), reached_on=D("2026-11-20"))
    services.request_start_verification(actor=desk_user, case=case)
    services.request_verify(actor=desk_user, case=case, outcome=VerificationOutcome.VERIFIED)
    services.item_decide(actor=desk_user, item=case.items.get(), outcome=Outcome.NO_DATA)
    services.request_submit_decisions(actor=desk_user, case=case)

    assert not case.tasks.exists()


def test_sending_the_result_makes_the_case_responded(recruit_erasure, desk_user):
    response = send_result(recruit_erasure, desk_user, method="registered_mail", tracking_number="1234-5678-901")

    case = reload(recruit_erasure)
    assert case.status == Status.RESPONDED
    assert response.sent_by == desk_user and response.sent_on == D("2026-11-20")
    assert response.tracking_number == "1234-5678-901"
    assert "佐々木 恵子 様" in response.addressee
    assert response.letter.is_sent


def test_registered_mail_needs_a_tracking_number(recruit_erasure, desk_user):
    letter = services.letter_draft(actor=desk_user, case=recruit_erasure, kind=LetterKind.RESULT)

    with pytest.raises(ValidationError) as error:
        services.response_send(actor=desk_user, letter=letter, method="registered_mail")

    assert "tracking_number" in error.value.message_dict
    assert reload(recruit_erasure).status == Status.RESPONDING


def test_a_letter_is_sent_once(recruit_erasure, desk_user):
    response = send_result(recruit_erasure, desk_user)

    with pytest.raises(services.TransitionNotAllowed):
        services.response_send(actor=desk_user, letter=response.letter, method="post")


def test_close_is_refused_while_tasks_are_open(recruit_erasure, desk_user):
    send_result(recruit_erasure, desk_user)

    with pytest.raises(services.TransitionNotAllowed, match="2 fulfilment task"):
        services.request_close(actor=desk_user, case=recruit_erasure)

    first, second = recruit_erasure.tasks.all()
    services.task_complete(actor=desk_user, task=first, note="応募者DBから削除")
    with pytest.raises(services.TransitionNotAllowed, match="1 fulfilment task"):
        services.request_close(actor=desk_user, case=recruit_erasure)
    services.task_complete(actor=desk_user, task=second, note="CRMから削除")
    services.request_close(actor=desk_user, case=recruit_erasure)

    case = reload(recruit_erasure)
    assert case.status == Status.CLOSED and case.ended_on == D("2026-11-20")
    first.refresh_from_db()
    assert (first.done_by, first.done_on, first.note) == (desk_user, D("2026-11-20"), "応募者DBから削除")


def test_close_is_refused_while_copies_the_policy_disposes_of_are_kept(travel, desk_user, policies):
    travel("2026-09-18")
    case = register(
        desk_user,
        policies[LEVERAGES],
        kinds=("third_party_record_disclosure",),
        reached_on=D("2026-09-18"),
        documents=[document_data(K.MY_NUMBER_CARD_FRONT)],
    )
    provision_on_record(desk_user, case.data_subject, provided_on=D("2026-09-01"))
    services.request_start_verification(actor=desk_user, case=case)
    services.request_verify(actor=desk_user, case=case, outcome=VerificationOutcome.VERIFIED, name_matches=True)
    services.item_decide(actor=desk_user, item=case.items.get(), outcome=Outcome.COMPLY, method_used="electronic")
    services.request_submit_decisions(actor=desk_user, case=case)
    send_result(case, desk_user, method="electronic_file", method_override_reason="CD-Rを来社時に手渡し")

    with pytest.raises(services.TransitionNotAllowed, match="not yet disposed of"):
        services.request_close(actor=desk_user, case=case)
    services.document_dispose(
        actor=desk_user, case=case, documents=case.documents.all(), disposed_on=D("2026-09-18"), method="shredded"
    )
    services.request_close(actor=desk_user, case=case)
    assert reload(case).status == Status.CLOSED


def test_policy_without_a_disposal_rule_closes_with_copies_kept(travel, desk_user, policies):
    travel("2026-11-20")
    case = register(desk_user, policies[PLUS_UP], kinds=("correction",), reached_on=D("2026-11-20"))
    case = granted(case, desk_user, outcome=Outcome.SELF_SERVICE)
    send_result(case, desk_user)

    services.request_close(actor=desk_user, case=case)

    assert reload(case).status == Status.CLOSED


def test_returned_mail_is_recorded(recruit_erasure, desk_user):
    response = send_result(recruit_erasure, desk_user)

    services.response_record_return(
        actor=desk_user, response=response, returned_on=D("2026-11-20"), note="宛所に尋ねあたりません"
    )
    with pytest.raises(services.TransitionNotAllowed):
        services.response_record_return(actor=desk_user, response=response, returned_on=D("2026-11-20"))

    response.refresh_from_db()
    assert (response.returned_on, response.return_note) == (D("2026-11-20"), "宛所に尋ねあたりません")


def test_sending_the_acknowledgement_records_the_day(travel, desk_user, policies):
    travel("2026-11-20")
    case = register(desk_user, policies[JUO], reached_on=D("2026-11-19"))
    letter = services.letter_draft(actor=desk_user, case=case, kind=LetterKind.ACKNOWLEDGEMENT)

    services.response_send(actor=desk_user, letter=letter, method="email", sent_on=D("2026-11-20"))

    assert reload(case).acknowledged_on == D("2026-11-20")
    assert reload(case).status == Status.RECEIVED


def test_rejection_letter_can_be_sent_after_the_case_ended(travel, desk_user, policies):
    travel("2026-11-20")
    case = register(desk_user, policies[JUO], reached_on=D("2026-11-19"))
    services.request_reject(actor=desk_user, case=case, reason="当社が保有する個人情報ではないため")
    letter = case.letters.get(kind=LetterKind.REJECTION)

    services.response_send(actor=desk_user, letter=letter, method="email")

    assert reload(case).status == Status.REJECTED
    assert letter.responses.get().text_sent.count("当社が保有する個人情報ではないため") == 1


def test_result_letter_is_not_possible_before_responding(travel, desk_user, policies):
    travel("2026-11-20")
    case = register(desk_user, policies[JUO], reached_on=D("2026-11-19"))

    with pytest.raises(services.TransitionNotAllowed, match="not possible"):
        services.letter_draft(actor=desk_user, case=case, kind=LetterKind.RESULT)


def test_history_of_the_end_of_a_case(recruit_erasure, desk_user):
    send_result(recruit_erasure, desk_user)
    for task in recruit_erasure.tasks.all():
        services.task_complete(actor=desk_user, task=task)
    services.request_close(actor=desk_user, case=recruit_erasure, note="全システムで消去済み")

    rows = list(recruit_erasure.history.values_list("history_operation", "history_change_reason"))
    assert rows[0] == ("close", "全システムで消去済み")
    assert any(operation == "send_letter" for operation, _note in rows)
    assert all(row.history_user == desk_user for row in recruit_erasure.history.all()[:4])
