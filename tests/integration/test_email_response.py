"""An e-mail response really goes out through SMTP, with the letter as PDF (SPEC §9)."""

import datetime as dt

import pytest
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
    assert message["Reply-To"] == "privacy-desk@example.jp"  # the person answers the desk, not a no-reply box
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
