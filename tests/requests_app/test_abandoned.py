"""Abandoned cases (issue 15): a case waiting for the requester longer than the policy's limit is
proposed for withdrawal (a reminder to the desk, a notice on the case page) and closed as
withdrawn, with the notice letter, only when staff confirm."""

import datetime as dt

import pytest

from requests_app import derived, services
from requests_app.models import LetterKind, PauseKind, ReminderKind, Request, Status
from requests_app.pipeline import Op
from requests_app.seeds import JUO
from tests.factories import fill_in, offered_method, register

D = dt.date.fromisoformat


def _ask(case, actor, note="住民票の写し"):
    """Pause the case and send the request letter by post the same day (the clock of the proposal)."""
    services.request_pause(actor=actor, case=case, kind=PauseKind.MISSING_DOCUMENT, note=note)
    letter = fill_in(case.letters.get(kind=LetterKind.REQUEST_MISSING, sent_at__isnull=True), actor)
    services.response_send(actor=actor, letter=letter, method=offered_method(case))


@pytest.fixture
def waiting(travel, desk_user, policies):
    """A JUO case that asked the requester for her certificate by a letter sent on Mon 2026-11-02.
    With the limit of 20 business days (11-03 and 11-23 are holidays), the 20th business day after
    is Wed 12-02: the wait is over the limit from Thu 12-03."""
    policy = policies[JUO]
    assert policy.propose_withdrawal_after == 20
    travel("2026-11-02")
    case = register(desk_user, policy, reached_on=D("2026-11-02"), assignee=desk_user)
    _ask(case, desk_user)
    return Request.objects.get(pk=case.pk)


def _proposed(case, day):
    return derived.withdrawal_proposed(Request.objects.get(pk=case.pk), D(day))


def _swept(day):
    return [
        (recipient, request, kind)
        for recipient, request, kind in services.reminder_sweep(today=D(day), dry_run=True).planned
        if kind == ReminderKind.WITHDRAWAL_PROPOSED
    ]


def test_proposed_only_once_the_wait_is_over_the_limit(waiting, desk_user):
    assert _proposed(waiting, "2026-12-02") is None
    proposal = _proposed(waiting, "2026-12-03")
    assert (proposal.waited, proposal.limit, proposal.pause.note) == (21, 20, "住民票の写し")
    # The reminder sweep says the same, to the assignee.
    assert _swept("2026-12-02") == []
    assert _swept("2026-12-03") == [(desk_user.pk, waiting.pk, ReminderKind.WITHDRAWAL_PROPOSED)]


def test_never_proposed_without_a_limit_or_once_the_requester_answered(waiting, travel, desk_user, policies):
    travel("2026-12-03")
    services.request_resume(actor=desk_user, case=waiting)
    assert _proposed(waiting, "2026-12-03") is None
    policy = policies[JUO]
    policy.propose_withdrawal_after = None
    policy.save()
    travel("2026-12-03")
    _ask(Request.objects.get(pk=waiting.pk), desk_user, note="対象期間")
    assert _proposed(waiting, "2027-06-01") is None
    assert _swept("2027-06-01") == []


def test_refused_before_the_limit(waiting, travel, desk_user):
    travel("2026-12-02")
    with pytest.raises(services.TransitionNotAllowed):
        services.request_withdraw_no_answer(actor=desk_user, case=waiting)
    assert Request.objects.get(pk=waiting.pk).status == Status.AWAITING_REQUESTER


def test_closed_as_withdrawn_with_the_notice_letter_when_staff_confirm(waiting, travel, desk_user):
    travel("2026-12-03")

    services.request_withdraw_no_answer(actor=desk_user, case=waiting, note="12/2に電話、不在")

    case = Request.objects.get(pk=waiting.pk)
    assert (case.status, case.withdrawal_deemed, case.ended_on) == (Status.WITHDRAWN, True, D("2026-12-03"))
    assert "2026-11-02" in case.end_reason and "12/2に電話、不在" in case.end_reason
    assert case.pauses.get().ended_on == D("2026-12-03")
    letter = case.letters.get(kind=LetterKind.WITHDRAWAL)
    assert "同日書面にてお願いしました事項（住民票の写し）へのご回答を、現在までにいただいておりません" in letter.body
    assert "取り下げられたものとして、2026年12月3日をもって手続きを終了いたしました。" in letter.body
    assert letter.title == "保有個人データの開示等の請求の手続終了のお知らせ"
    assert "取下げのお申し出を承りました" not in letter.body
    last = case.history.order_by("-history_id").first()
    assert (last.history_operation, last.history_user) == (Op.WITHDRAW_NO_ANSWER, desk_user)


def test_an_ordinary_withdrawal_keeps_its_own_letter(travel, desk_user, policies):
    travel("2026-11-02")
    case = register(desk_user, policies[JUO], reached_on=D("2026-11-02"))
    services.request_withdraw(actor=desk_user, case=case, reason="電話で取下げの申出")

    letter = Request.objects.get(pk=case.pk).letters.get(kind=LetterKind.WITHDRAWAL)
    assert "取下げのお申し出を承りました" in letter.body and "電話で取下げの申出" in letter.body


def test_the_case_page_proposes_it_and_closes_it(client, waiting, travel, desk_user):
    url = f"/admin/requests_app/request/{waiting.pk}/change/"
    action = f"/admin/requests_app/request/{waiting.pk}/action/withdraw-no-answer/"

    travel("2026-12-02")
    client.force_login(desk_user)  # the session ends after a month away
    page = client.get(url).content.decode()
    assert 'id="withdrawal-proposed"' not in page and action not in page

    travel("2026-12-03")
    client.force_login(desk_user)
    page = client.get(url).content.decode()
    assert 'id="withdrawal-proposed"' in page and "21" in page and action in page
    refused = client.post(action, {"version": waiting.version, "note": ""})
    assert refused.status_code == 200 and "連絡を試みた経過" in refused.content.decode()
    response = client.post(action, {"version": waiting.version, "note": "12/2に電話、不在"})

    assert response.status_code == 302
    assert Request.objects.get(pk=waiting.pk).status == Status.WITHDRAWN


def test_the_notice_without_a_fee_has_no_empty_block(waiting, travel, desk_user):
    travel("2026-12-03")
    services.request_withdraw_no_answer(actor=desk_user, case=waiting, note="電話・メールとも応答なし")

    body = Request.objects.get(pk=waiting.pk).letters.get(kind=LetterKind.WITHDRAWAL).body
    assert "記" not in body.split("敬具")[1].split("\n")[:3] and "以上" not in body


def test_not_proposed_while_the_request_letter_is_not_sent(travel, desk_user, policies):
    """The person cannot fail to answer a letter that never left: the proposal counts from the day
    the request letter was sent, and there is none while it is a draft."""
    travel("2026-11-02")
    case = register(desk_user, policies[JUO], reached_on=D("2026-11-02"))
    services.request_pause(actor=desk_user, case=case, kind=PauseKind.INFORMATION, note="対象期間")

    assert _proposed(case, "2027-01-29") is None
    assert _swept("2027-01-29") == []
    travel("2027-01-29")
    with pytest.raises(services.TransitionNotAllowed):
        services.request_withdraw_no_answer(actor=desk_user, case=case, note="電話")


def test_a_letter_that_came_back_undelivered_is_no_question_asked(waiting, travel, desk_user):
    """The person cannot fail to answer a letter that never reached them."""
    response = waiting.responses.get(letter__kind=LetterKind.REQUEST_MISSING)
    travel("2026-11-05")
    services.response_record_return(
        actor=desk_user, response=response, returned_on=D("2026-11-05"), note="宛所不明で返戻"
    )

    assert _proposed(waiting, "2026-12-10") is None
    assert _swept("2026-12-10") == []
    travel("2026-12-10")
    with pytest.raises(services.TransitionNotAllowed):
        services.request_withdraw_no_answer(actor=desk_user, case=Request.objects.get(pk=waiting.pk), note="電話")


def test_an_earlier_waits_letter_sent_the_day_a_new_wait_begins_does_not_count(travel, desk_user, policies):
    """Each wait counts from its own letter: the letter of the previous wait, sent on the day the
    desk asks again, is not the new question."""
    travel("2026-11-02")
    case = register(desk_user, policies[JUO], reached_on=D("2026-11-02"))
    services.request_pause(actor=desk_user, case=case, kind=PauseKind.INFORMATION, note="対象期間")
    travel("2026-11-04")
    first_letter = fill_in(case.letters.get(kind=LetterKind.REQUEST_MISSING, sent_at__isnull=True), desk_user)
    services.request_resume(actor=desk_user, case=case)
    services.request_pause(actor=desk_user, case=case, kind=PauseKind.MISSING_DOCUMENT, note="住民票の写し")
    services.response_send(actor=desk_user, letter=first_letter, method=offered_method(case))

    assert _proposed(case, "2026-12-10") is None
    assert _swept("2026-12-10") == []
