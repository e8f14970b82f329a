"""An e-mail response really goes out through SMTP, with the letter as PDF (SPEC §9)."""

import datetime as dt
from email.utils import parseaddr

import pytest
from django.conf import settings
from django.utils import translation

from requests_app import services
from requests_app.models import DocumentKind, LetterKind, Outcome, Response, Status, VerificationOutcome
from requests_app.seeds import LEVERAGES
from tests.factories import document_data, provision_on_record, register

D = dt.date.fromisoformat
pytestmark = pytest.mark.integration


@pytest.fixture
def leverages_case(travel, desk_user, policies):
    """SCENARIOS §2 up to the reply: records disclosed, reply by e-mail."""
    travel("2026-09-24")
    case = register(
        desk_user,
        policies[LEVERAGES],
        kinds=("third_party_record_disclosure",),
        reached_on=D("2026-09-18"),
        channel="email",
        subject={"family_name": "佐藤", "given_name": "健", "email": "ken.sato@example.jp"},
        documents=[document_data(DocumentKind.MY_NUMBER_CARD_FRONT)],
    )
    services.request_start_verification(actor=desk_user, case=case)
    services.request_verify(actor=desk_user, case=case, outcome=VerificationOutcome.VERIFIED, name_matches=True)
    provision_on_record(desk_user, case.data_subject, provided_on=D("2026-09-01"))
    services.item_decide(actor=desk_user, item=case.items.get(), outcome=Outcome.COMPLY, method_used="electronic")
    services.request_submit_decisions(actor=desk_user, case=case)
    return case


def test_email_response_arrives_with_the_pdf_and_the_message_id_is_kept(smtp_server, leverages_case, desk_user):
    organization = leverages_case.organization
    organization.desk_email = "privacy-desk@example.jp"
    organization.save()
    letter = services.letter_draft(actor=desk_user, case=leverages_case, kind=LetterKind.RESULT)

    response = services.response_send(actor=desk_user, letter=letter, method="email")

    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "ken.sato@example.jp"
    assert message["Message-ID"] == response.email_message_id
    # From the organization's desk, by name, and the person's answer goes to the desk too.
    desk = "レバレジーズ株式会社 レバレジーズグループ お客様窓口"
    assert parseaddr(str(message["From"])) == (desk, "privacy-desk@example.jp")
    assert parseaddr(str(message["Reply-To"])) == (desk, "privacy-desk@example.jp")
    assert "privacyops@localhost" not in str(message["From"])
    assert leverages_case.reference in message["Subject"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "保有個人データの開示等の請求に対する回答" in body
    assert "第三者提供記録を開示いたします" in body
    attachments = list(message.iter_attachments())
    assert [a.get_filename() for a in attachments] == [f"{leverages_case.reference}-result.pdf"]
    assert attachments[0].get_content_type() == "application/pdf"
    assert attachments[0].get_content().startswith(b"%PDF")
    leverages_case.refresh_from_db()
    assert leverages_case.status == Status.RESPONDED
    assert response.email == "ken.sato@example.jp" and response.text_sent == body.replace("\r\n", "\n")


def test_without_a_desk_address_there_is_no_reply_to(smtp_server, leverages_case, desk_user):
    organization = leverages_case.organization
    organization.desk_email = ""
    organization.save()
    letter = services.letter_draft(actor=desk_user, case=leverages_case, kind=LetterKind.RESULT)

    services.response_send(actor=desk_user, letter=letter, method="email")

    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["Reply-To"] is None
    # Still from the desk by name, at the system's sending address.
    name, address = parseaddr(str(smtp_server.messages[0]["From"]))
    assert name == "レバレジーズ株式会社 レバレジーズグループ お客様窓口"
    assert address == parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def test_smtp_down_records_nothing_and_says_so(smtp_down, leverages_case, desk_user):
    letter = services.letter_draft(actor=desk_user, case=leverages_case, kind=LetterKind.RESULT)

    with translation.override("en"), pytest.raises(services.TransitionNotAllowed, match="could not be sent"):
        services.response_send(actor=desk_user, letter=letter, method="email")

    leverages_case.refresh_from_db()
    letter.refresh_from_db()
    assert leverages_case.status == Status.RESPONDING
    assert not letter.is_sent
    assert not Response.objects.exists()


def test_a_hanging_smtp_server_gives_the_could_not_be_sent_message(smtp_hanging, leverages_case, desk_user):
    """EMAIL_TIMEOUT (default 10 s, below the web worker's 60 s): the page answers, nothing is sent."""
    letter = services.letter_draft(actor=desk_user, case=leverages_case, kind=LetterKind.RESULT)
    with translation.override("en"), pytest.raises(services.TransitionNotAllowed, match="could not be sent"):
        services.response_send(actor=desk_user, letter=letter, method="email")
    letter.refresh_from_db()
    assert not letter.is_sent and not Response.objects.exists()


def test_the_emailed_pdf_is_the_final_letter_without_a_draft_stamp(smtp_server, leverages_case, desk_user, tmp_path):
    import subprocess

    letter = services.letter_draft(actor=desk_user, case=leverages_case, kind=LetterKind.RESULT)
    services.response_send(actor=desk_user, letter=letter, method="email")

    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(next(smtp_server.messages[0].iter_attachments()).get_content())
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout  # noqa: S603, S607
    assert "保有個人データの開示等の請求に対する回答" in text
    assert "下書き" not in text and "DRAFT" not in text


# ------------------------------------------------------------------------------------------
# The outbox: recorded before it leaves, marked sent after, never sent twice by itself
# ------------------------------------------------------------------------------------------
def _a_while_later():
    """The interrupted send was recorded minutes ago (a check right away is refused: the mail may
    still be on its way)."""
    import datetime

    from django.db.models import F

    Response.objects.update(recorded_at=F("recorded_at") - datetime.timedelta(minutes=5))


def _interrupted_send(case, actor, monkeypatch):
    """The result letter's e-mail accepted by SMTP, the worker killed before marking it sent,
    minutes ago. Returns (letter, the response left "sending")."""
    letter = services.letter_draft(actor=actor, case=case, kind=LetterKind.RESULT)
    _interrupt_after_smtp(monkeypatch)
    with pytest.raises(SystemExit):
        services.response_send(actor=actor, letter=letter, method="email")
    monkeypatch.undo()
    _a_while_later()
    return letter, Response.objects.get()


def _interrupt_after_smtp(monkeypatch):
    """The worker dies after the SMTP server accepted the mail, before it is marked sent."""
    from requests_app.services import responses as module

    def killed(*args, **kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(module, "_outbox_sent", killed)


def test_a_crash_after_smtp_accepted_leaves_one_check_row_and_no_resend(
    smtp_server, leverages_case, desk_user, monkeypatch
):
    from requests_app import pipeline
    from requests_app.models import DeliveryState
    from requests_app.pipeline import Op

    letter = services.letter_draft(actor=desk_user, case=leverages_case, kind=LetterKind.RESULT)
    _interrupt_after_smtp(monkeypatch)
    with pytest.raises(SystemExit):
        services.response_send(actor=desk_user, letter=letter, method="email")
    monkeypatch.undo()

    assert len(smtp_server.messages) == 1
    response = Response.objects.get()
    assert response.state == DeliveryState.SENDING
    assert smtp_server.messages[0]["Message-ID"] == response.email_message_id  # what to look for in the log
    letter.refresh_from_db()
    case = leverages_case
    case.refresh_from_db()
    assert not letter.is_sent and case.status == Status.RESPONDING
    assert not pipeline.allowed(case, Op.SEND_LETTER, target=letter)
    assert not pipeline.allowed(case, Op.CHECK_SENDING, target=response)  # it may still be on its way

    with translation.override("en"), pytest.raises(services.TransitionNotAllowed, match="check whether it left"):
        services.response_send(actor=desk_user, letter=letter, method="email")
    assert len(smtp_server.messages) == 1 and Response.objects.count() == 1

    with translation.override("en"), pytest.raises(services.TransitionNotAllowed, match="still be on its way"):
        services.response_check(actor=desk_user, response=response, left=False, note="too early")
    assert Response.objects.count() == 1
    _a_while_later()
    response.refresh_from_db()
    assert pipeline.allowed(case, Op.CHECK_SENDING, target=response)
    checked = services.response_check(
        actor=desk_user, response=response, left=True, note="Mail server log: 250 OK for the Message-ID"
    )
    assert checked.state == DeliveryState.SENT
    case.refresh_from_db()
    letter.refresh_from_db()
    assert case.status == Status.RESPONDED and letter.is_sent
    assert len(smtp_server.messages) == 1
    operations = list(
        Response.history.filter(id=response.pk).order_by("history_id").values_list("history_operation", flat=True)
    )
    assert operations == [Op.OUTBOX, Op.CHECK_SENDING]


def test_an_interrupted_email_that_did_not_leave_can_be_sent_again(smtp_server, leverages_case, desk_user, monkeypatch):
    from requests_app.pipeline import Op

    letter, response = _interrupted_send(leverages_case, desk_user, monkeypatch)

    with translation.override("en"), pytest.raises(Exception, match="Say how you checked"):
        services.response_check(actor=desk_user, response=response, left=False, note="  ")
    assert Response.objects.count() == 1

    assert services.response_check(actor=desk_user, response=response, left=False, note="Not in the server log") is None
    assert not Response.objects.exists()
    deleted = Response.history.get(id=response.pk, history_type="-")
    assert deleted.history_operation == Op.CHECK_SENDING and deleted.history_change_reason == "Not in the server log"

    services.response_send(actor=desk_user, letter=letter, method="email")  # staff send it again, knowingly
    assert len(smtp_server.messages) == 2
    leverages_case.refresh_from_db()
    assert leverages_case.status == Status.RESPONDED


def test_a_refused_email_leaves_its_attempt_in_the_history(smtp_down, leverages_case, desk_user):
    from requests_app.pipeline import Op

    letter = services.letter_draft(actor=desk_user, case=leverages_case, kind=LetterKind.RESULT)
    with translation.override("en"), pytest.raises(services.TransitionNotAllowed, match="could not be sent"):
        services.response_send(actor=desk_user, letter=letter, method="email")
    rows = list(Response.history.order_by("history_id"))
    assert [(r.history_type, r.history_operation) for r in rows] == [("+", Op.OUTBOX), ("-", Op.SEND_FAILED)]
    assert "could not be sent" in rows[1].history_change_reason


def test_the_case_page_shows_the_check_and_the_check_form_keeps_input(
    smtp_server, leverages_case, desk_user, monkeypatch, client
):
    _letter, response = _interrupted_send(leverages_case, desk_user, monkeypatch)
    client.force_login(desk_user)
    page = client.get(f"/admin/requests_app/request/{leverages_case.pk}/change/", HTTP_ACCEPT_LANGUAGE="ja")
    html = page.content.decode()
    assert "送信未確認（送られたか確認してください）" in html
    url = f"/admin/requests_app/request/{leverages_case.pk}/action/check-sending/?response={response.pk}"
    assert url.replace("&", "&amp;") in html or url in html
    leverages_case.refresh_from_db()
    posted = client.post(url, {"version": leverages_case.version, "left": "yes", "note": ""})
    assert posted.status_code == 200 and "yes" in posted.content.decode()  # the choice is kept
    assert Response.objects.get().state == "sending"
    posted = client.post(url, {"version": leverages_case.version, "left": "yes", "note": "server log"})
    assert posted.status_code == 302
    assert Response.objects.get().state == "sent"
