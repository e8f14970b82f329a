"""The requester portal's e-mails (issue 14) through a real Celery worker to a real SMTP server:
the confirmation of a request sent online, and the desk's notice of a document sent online."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.uploadedfile import SimpleUploadedFile

from privacyops.celery import app as celery_app
from requests_app import document_files, services
from requests_app.models import Holder, PauseKind
from requests_app.seeds import LEVERAGES
from tests.factories import open_portal
from tests.integration.test_reminder_delivery import wait_for
from tests.requests_app.test_document_files import png_bytes

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker():
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20) as running:
        yield running


def test_the_confirmation_and_the_desk_notice_arrive(smtp_server, worker, seed_orgs, desk_user, travel, settings):
    travel("2026-12-01")
    organization = seed_orgs[LEVERAGES]
    organization.desk_email = "privacy-desk@example.jp"
    organization.save()
    open_portal(organization)
    licence = document_files.check_upload(SimpleUploadedFile("licence.png", png_bytes()))
    submitted = services.portal_request_submit(
        organization=organization,
        subject={"family_name": "山田", "given_name": "花子", "email": "hanako@example.jp"},
        items=[{"kind": "disclosure", "requested_method": "electronic"}],
        documents=[{"holder": Holder.DATA_SUBJECT, "kind": "drivers_license", "file": licence}],
        preferred_response_method="download_link",
    )
    wait_for(lambda: len(smtp_server.messages) == 1, message="the confirmation")
    confirmation = smtp_server.messages[0]
    body = confirmation.get_body(preferencelist=("plain",)).get_content()
    assert confirmation["To"] == "hanako@example.jp" and "privacy-desk@example.jp" in str(confirmation["From"])
    assert submitted.case.reference in confirmation["Subject"] and submitted.case.reference in body
    assert submitted.pin not in body and "花子" not in body  # the reference only
    assert f"{settings.SITE_URL}/portal/{LEVERAGES}/status/" in body

    # The desk asks for a document; the person sends it online; the assignee hears of it.
    case = submitted.case
    services.request_start_verification(actor=desk_user, case=case)  # assigns the case to desk_user
    services.request_pause(actor=desk_user, case=case, kind=PauseKind.MISSING_DOCUMENT, note="住民票の写し")
    services.portal_document_upload(
        case=case,
        holder=Holder.DATA_SUBJECT,
        kind="resident_register_copy",
        file=document_files.check_upload(SimpleUploadedFile("juminhyo.png", png_bytes())),
    )
    wait_for(lambda: len(smtp_server.messages) == 2, message="the desk's notice")
    notice = smtp_server.messages[1]
    assert notice["To"] == desk_user.email and case.reference in notice["Subject"]
    assert f"/admin/requests_app/request/{case.pk}/change/" in notice.get_body(preferencelist=("plain",)).get_content()
