"""The requester portal (issue 14): sending a request online, the status page opened with the
reference and PIN, documents sent from it, and results delivered by download link."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from privacyops.audit.models import AccessKind, AccessLog
from requests_app import services
from requests_app.models import (
    Channel,
    DeliveryLink,
    DeliveryMethod,
    DocumentKind,
    Holder,
    Masking,
    PauseKind,
    PortalAccess,
    PortalSettings,
    Request,
    Status,
)
from requests_app.seeds import COPRO, JUO, LEVERAGES
from requests_app.services.portal import PORTAL_USERNAME, normalize_pin, normalize_reference
from tests.factories import edit_letter, open_portal, result_letter
from tests.requests_app.test_document_files import pdf_bytes, png_bytes

D = dt.date.fromisoformat


@pytest.fixture(autouse=True)
def own_storage(settings, tmp_path):
    """Each test its own folder of sealed files."""
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {**settings.STORAGES["documents"], "OPTIONS": {"location": str(tmp_path / "documents")}},
    }


@pytest.fixture
def leverages(seed_orgs, travel):
    travel("2026-12-01")
    organization = seed_orgs[LEVERAGES]
    open_portal(organization, intro="ご本人確認書類の写しをアップロードしてください。")
    return organization


def licence(name="license.png"):
    return {"holder": Holder.DATA_SUBJECT, "kind": DocumentKind.DRIVERS_LICENSE, "file": _checked(name, png_bytes())}


def _checked(name, data):
    from requests_app import document_files

    return document_files.check_upload(SimpleUploadedFile(name, data))


def submit(organization, **overrides):
    data = {
        "subject": {"family_name": "山田", "given_name": "花子", "email": "hanako@example.jp"},
        "items": [{"kind": "disclosure", "requested_method": "electronic"}],
        "documents": [licence()],
        "preferred_response_method": DeliveryMethod.DOWNLOAD_LINK,
    }
    data.update(overrides)
    return services.portal_request_submit(organization=organization, **data)


# ------------------------------------------------------------------------------------------
# References and PINs as people type them
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "typed",
    ["2026-000123", "2026-123", "２０２６－０００１２３", "2026ー123", "2026 000123", "2026000123", "2026‐123",
     " 2026－000123 ", "2026/123", "2026_000123", "2026―123"],
)  # fmt: skip
def test_a_reference_is_read_in_every_spelling(typed):
    assert normalize_reference(typed) == "2026-000123"


@pytest.mark.parametrize("typed", ["", "abc", "2026-1234567", "26-123", "2026-12a", "2026-x-123", "2026--- -123"])
def test_what_cannot_be_a_reference_is_none(typed):
    assert normalize_reference(typed) is None


@pytest.mark.parametrize(
    "typed", ["ABCD-EFGH-JK", "abcdefghjk", "ＡＢＣＤ　ＥＦＧＨ　ＪＫ", "abcd efgh-jk", "ABCD－EFGH－JK"]
)
def test_a_pin_is_read_in_every_spelling(typed):
    assert normalize_pin(typed) == "ABCDEFGHJK"


# ------------------------------------------------------------------------------------------
# Sending a request online
# ------------------------------------------------------------------------------------------
def test_a_request_sent_online_is_a_received_web_case_with_its_sealed_copies(leverages):
    """Issue 14: the same intake service as the desk's, channel "web form", the PIN hashed."""
    submitted = submit(leverages)
    case = Request.objects.get(pk=submitted.case.pk)
    assert (case.status, case.channel, case.reached_on, case.form_received_on) == (
        Status.RECEIVED,
        Channel.WEB_FORM,
        D("2026-12-01"),
        D("2026-12-01"),
    )
    assert case.created_by.username == PORTAL_USERNAME and not case.created_by.is_staff
    document = case.documents.get()
    assert (document.kind, document.individual_number, document.file.content_type) == (
        DocumentKind.DRIVERS_LICENSE,
        Masking.MASKED_BY_SENDER,
        "image/png",
    )
    stored = PortalAccess.objects.get(request=case).pin_hash
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{10}", submitted.pin)
    assert submitted.pin not in stored and stored.startswith("md5$")  # test hasher; production: PBKDF2
    assert case.history.earliest().history_user.username == PORTAL_USERNAME


def test_the_portal_is_closed_unless_open_and_the_policy_takes_web_forms(seed_orgs, travel):
    travel("2026-12-01")
    organization = seed_orgs[COPRO]  # post only
    PortalSettings.objects.create(organization=organization, enabled=True)
    with pytest.raises(services.TransitionNotAllowed):
        submit(organization)
    assert Request.objects.count() == 0


def test_a_failed_submission_keeps_no_file(leverages, settings, tmp_path):
    with pytest.raises(Exception):  # noqa: B017 - a bad birth date: ValidationError
        submit(leverages, subject={"family_name": "山田", "birth_date": D("2030-01-01")})
    assert Request.objects.count() == 0
    assert not any((tmp_path / "documents").rglob("*.*"))


# ------------------------------------------------------------------------------------------
# The reference and PIN: refusals read the same, a lock after five
# ------------------------------------------------------------------------------------------
def test_five_wrong_pins_lock_the_reference_even_for_the_right_pin(leverages):
    submitted = submit(leverages)
    reference = submitted.case.reference
    lefts = []
    for _ in range(4):
        with pytest.raises(services.PortalRefused) as refused:
            services.portal_case_open(organization=leverages, reference=reference, pin="WRONGPIN22")
        lefts.append(refused.value.left)
    assert lefts == [4, 3, 2, 1]
    with pytest.raises(services.PortalLocked):
        services.portal_case_open(organization=leverages, reference=reference, pin="WRONGPIN22")
    with pytest.raises(services.PortalLocked):
        services.portal_case_open(organization=leverages, reference=reference, pin=submitted.pin)
    assert AccessLog.objects.filter(kind=AccessKind.PORTAL_LOCKED, request=submitted.case).count() == 1


def test_the_right_pin_opens_the_case_in_any_spelling(leverages):
    submitted = submit(leverages)
    typed = "-".join([submitted.pin[:4].lower(), submitted.pin[4:]])
    case = services.portal_case_open(
        organization=leverages, reference=submitted.case.reference.replace("-", "ー"), pin=typed
    )
    assert case.pk == submitted.case.pk


def test_another_organizations_reference_reads_exactly_like_a_wrong_one(leverages, seed_orgs):
    """Nothing tells a reference of another organization (or none) from a wrong PIN: same error,
    same count, same lock."""
    juo = seed_orgs[JUO]
    open_portal(juo)
    theirs = submit(juo).case.reference
    ours = submit(leverages).case
    outcomes = {}
    for label, reference in {"theirs": theirs, "missing": "2026-999999", "wrong pin": ours.reference}.items():
        seen = []
        for _ in range(5):
            try:
                services.portal_case_open(organization=leverages, reference=reference, pin="WRONGPIN22")
            except services.PortalRefused as refused:
                seen.append(("refused", refused.left))
            except services.PortalLocked:
                seen.append(("locked", None))
        outcomes[label] = seen
    assert outcomes["theirs"] == outcomes["missing"] == outcomes["wrong pin"]
    assert outcomes["missing"][-1] == ("locked", None)


# ------------------------------------------------------------------------------------------
# Documents sent from the status page
# ------------------------------------------------------------------------------------------
def test_a_document_sent_while_waiting_for_it_resumes_the_clock(leverages, desk_user, travel):
    """As the desk's "requester answered" (SPEC §5): the day it arrives is a new day 0."""
    case = submit(leverages, documents=[]).case
    services.request_pause(actor=desk_user, case=case, kind=PauseKind.MISSING_DOCUMENT, note="運転免許証の写し")
    travel("2026-12-03")
    services.portal_document_upload(
        case=case, holder=Holder.DATA_SUBJECT, kind="drivers_license", file=licence()["file"]
    )
    case.refresh_from_db()
    pause = case.pauses.get()
    assert (case.status, pause.ended_on) == (Status.RECEIVED, D("2026-12-03"))
    assert case.complete_on == D("2026-12-03")
    resumed = case.history.filter(history_operation="resume").get()
    assert resumed.history_user.username == PORTAL_USERNAME and resumed.history_change_reason


def test_a_document_does_not_end_a_wait_for_the_fee(seed_orgs, travel, desk_user):
    travel("2026-12-01")
    juo = seed_orgs[JUO]  # 1,000 yen per disclosure
    open_portal(juo)
    case = submit(juo).case
    services.request_pause(actor=desk_user, case=case, kind=PauseKind.FEE_SHORTFALL, note="手数料1,000円")
    services.portal_document_upload(case=case, holder=Holder.DATA_SUBJECT, kind="passport", file=licence()["file"])
    case.refresh_from_db()
    assert case.status == Status.AWAITING_REQUESTER


# ------------------------------------------------------------------------------------------
# Results by download link
# ------------------------------------------------------------------------------------------
def _answered_by_link(case, desk_user):
    letter = result_letter(case, desk_user)
    mail.outbox.clear()
    response = services.response_send(actor=desk_user, letter=letter, method=DeliveryMethod.DOWNLOAD_LINK)
    return response, letter


def test_a_result_by_link_sends_only_the_link(leverages, desk_user):
    case = submit(leverages).case
    response, letter = _answered_by_link(case, desk_user)
    case.refresh_from_db()
    assert case.status == Status.RESPONDED
    [message] = mail.outbox
    assert message.to == ["hanako@example.jp"] and not message.attachments
    assert letter.body.splitlines()[-1] not in message.body  # nothing of the letter itself
    url = re.search(r"https?://\S+/portal/\S+", message.body).group(0)
    token = url.rstrip("/").split("/")[-1]
    link = DeliveryLink.objects.get(response=response)
    assert token not in link.token_hash and len(link.token_hash) == 64
    # Valid to the end of the policy's download_link_days (default 14) after today, Asia/Tokyo.
    assert timezone.localtime(link.expires_at) == timezone.make_aware(dt.datetime(2026, 12, 16))


def test_a_case_without_a_pin_cannot_be_answered_by_link(policies, desk_user, travel):
    from tests.factories import document_data, register

    travel("2026-12-01")
    case = register(
        desk_user, policies[LEVERAGES], reached_on=D("2026-12-01"), documents=[document_data("drivers_license")]
    )
    letter = result_letter(case, desk_user, decisions={"disclosure": {"outcome": "comply", "method_used": "paper"}})
    with pytest.raises(ValidationError) as error:
        services.response_send(actor=desk_user, letter=letter, method=DeliveryMethod.DOWNLOAD_LINK)
    assert "PIN" in str(error.value)


def test_revoking_a_link_needs_a_reason_and_is_in_the_history(leverages, desk_user):
    case = submit(leverages).case
    response, _letter = _answered_by_link(case, desk_user)
    with pytest.raises(ValidationError, match="理由"):
        services.delivery_link_revoke(actor=desk_user, response=response, reason="  ")
    link = services.delivery_link_revoke(actor=desk_user, response=response, reason="宛先の誤り")
    assert not link.is_open(timezone.now())
    row = link.history.latest()
    assert (row.history_operation, row.history_user, row.history_change_reason) == (
        "revoke_link",
        desk_user,
        "宛先の誤り",
    )
    with pytest.raises(services.TransitionNotAllowed):
        services.delivery_link_revoke(actor=desk_user, response=response, reason="再度")


# ------------------------------------------------------------------------------------------
# The pages
# ------------------------------------------------------------------------------------------
def _form_data(**overrides):
    data = {
        "intake_token": "8c3e2a9c-7a5d-4c8e-9f47-0d7f6f3c1b11",
        "kinds": ["disclosure"],
        "requested_method": "electronic",
        "family_name": "山田",
        "given_name": "花子",
        "email": "hanako@example.jp",
        "preferred_response_method": "download_link",
        "notice_read": "on",
        "masking_declared": "on",
        "doc-TOTAL_FORMS": "4",
        "doc-INITIAL_FORMS": "0",
        "doc-MIN_NUM_FORMS": "0",
        "doc-MAX_NUM_FORMS": "6",
        "doc-0-holder": "data_subject",
        "doc-0-kind": "drivers_license",
        "doc-0-file": SimpleUploadedFile("license.png", png_bytes()),
    }
    for i in range(1, 4):
        data[f"doc-{i}-holder"] = "data_subject"
    data.update(overrides)
    return data


def test_the_form_page_sends_a_request_and_shows_the_pin_once(leverages, client):
    url = reverse("portal:form", args=[LEVERAGES])
    page = client.get(url)
    assert page.status_code == 200 and "Content-Security-Policy" in page.headers
    assert "ご本人確認書類の写しをアップロードしてください。" in page.content.decode()
    response = client.post(url, _form_data())
    done = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    case = Request.objects.get()
    pin = re.search(r'id="pin">([A-Z0-9-]+)<', done).group(1)
    assert case.reference in done and len(pin) == 12
    # Nowhere at rest in clear: not in the session, and a second sending of the form shows neither.
    from django.contrib.sessions.models import Session

    assert not any(pin.replace("-", "") in str(s.get_decoded()).replace("-", "") for s in Session.objects.all())
    again = client.post(url, _form_data())
    assert again.status_code == 400 and pin not in again.content.decode()
    assert case.reference not in again.content.decode() and Request.objects.count() == 1
    opened = client.post(reverse("portal:status", args=[LEVERAGES]), {"reference": case.reference, "pin": pin})
    assert opened["Location"] == reverse("portal:case", args=[LEVERAGES])
    status = client.get(opened["Location"]).content.decode()
    assert case.reference in status and "運転免許証" in status
    assert AccessLog.objects.filter(kind=AccessKind.PORTAL_STATUS, request=case).count() == 1


def test_bad_input_keeps_what_was_typed_and_ties_each_error_to_its_field(leverages, client):
    url = reverse("portal:form", args=[LEVERAGES])
    response = client.post(url, _form_data(email="", family_name="", given_name="花子", details="私の応募記録"))
    html = response.content.decode()
    assert response.status_code == 400 and Request.objects.count() == 0
    assert 'value="花子"' in html and "私の応募記録" in html
    assert re.search(r'id="id_family_name"[^>]*aria-invalid="true"', html) or re.search(
        r'aria-invalid="true"[^>]*id="id_family_name"', html
    )
    assert 'id="id_family_name_error"' in html and 'id="id_email_error"' in html


def test_a_form_filled_by_a_robot_is_refused(leverages, client):
    response = client.post(reverse("portal:form", args=[LEVERAGES]), _form_data(website="http://spam.example"))
    assert response.status_code == 400 and Request.objects.count() == 0


def test_an_oversize_form_is_refused_before_it_is_read(leverages, client, settings):
    settings.PORTAL_MAX_REQUEST_MB = 1
    data = _form_data(**{"doc-0-file": SimpleUploadedFile("big.pdf", pdf_bytes() + b"%" * (1024 * 1024 + 10))})
    response = client.post(reverse("portal:form", args=[LEVERAGES]), data)
    assert response.status_code == 413 and Request.objects.count() == 0


def test_one_address_is_slowed_down_after_its_attempts(leverages, client, settings):
    settings.PORTAL_ATTEMPTS_PER_HOUR = 3
    url = reverse("portal:status", args=[LEVERAGES])
    codes = [client.post(url, {"reference": f"2026-00000{i}", "pin": "WRONGPIN22"}).status_code for i in range(4)]
    assert codes == [400, 400, 400, 429]


def test_the_status_page_needs_the_pin_first(leverages, client):
    response = client.get(reverse("portal:case", args=[LEVERAGES]))
    assert response.status_code == 302 and response["Location"] == reverse("portal:status", args=[LEVERAGES])


def test_a_closed_portal_says_so(seed_orgs, client):
    response = client.get(reverse("portal:form", args=[COPRO]))
    assert response.status_code == 404
    assert "オンラインでのご請求は受け付けていません" in response.content.decode()


def test_the_link_downloads_the_letter_with_the_pin_and_is_logged(leverages, desk_user, client):
    submitted = submit(leverages)
    _response, _letter = _answered_by_link(submitted.case, desk_user)
    url = re.search(r"https?://\S+(/portal/\S+)", mail.outbox[0].body).group(1)
    page = client.get(url)
    assert page.status_code == 200 and 'name="pin"' in page.content.decode()
    assert client.get(url + "file/").status_code == 302  # not before the PIN
    assert client.post(url, {"pin": submitted.pin})["Location"] == url
    pdf = client.get(url + "file/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and "no-store" in pdf["Cache-Control"]
    logged = AccessLog.objects.get(kind=AccessKind.PORTAL_DOWNLOAD, request=submitted.case)
    assert url.split("/")[-2] not in logged.path  # the token is not kept in clear, not even in the log


def test_an_expired_or_revoked_link_is_refused(leverages, desk_user, client, travel):
    submitted = submit(leverages)
    response, _letter = _answered_by_link(submitted.case, desk_user)
    url = re.search(r"https?://\S+(/portal/\S+)", mail.outbox[0].body).group(1)
    travel("2026-12-16")
    assert client.get(url).status_code == 410
    travel("2026-12-02")
    services.delivery_link_revoke(actor=desk_user, response=response, reason="誤送信")
    page = client.get(url)
    assert page.status_code == 410 and submitted.case.reference not in page.content.decode()
    assert client.get(url.replace(url.split("/")[-2], "x" * 43)).status_code == 404


def _status_queries(client, organization, submitted) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.post(
        reverse("portal:status", args=[organization.code]),
        {"reference": submitted.case.reference, "pin": submitted.pin},
    )
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("portal:case", args=[organization.code])).status_code == 200
    return len(queries)


def test_the_status_page_costs_the_same_queries_however_much_the_case_holds(leverages, client, desk_user):
    small = submit(leverages, documents=[licence()])
    large = submit(leverages, documents=[licence(f"l{n}.png") for n in range(5)])
    services.request_pause(actor=desk_user, case=large.case, kind=PauseKind.INFORMATION, note="対象期間")
    first = _status_queries(client, leverages, small)
    client.post(reverse("portal:sign_out", args=[LEVERAGES]))
    assert _status_queries(client, leverages, large) == first <= 16


def test_a_stranger_from_elsewhere_cannot_lock_the_person_out_but_many_addresses_can(leverages, settings):
    """5 wrong PINs from one address lock the reference for that address; the person at home still
    gets in. Guessing spread over many addresses meets the second lock (PORTAL_PIN_FAILURES_ALL)."""
    settings.PORTAL_PIN_FAILURES_ALL = 12
    submitted = submit(leverages)
    reference = submitted.case.reference
    for _ in range(5):
        with pytest.raises((services.PortalRefused, services.PortalLocked)):
            services.portal_case_open(organization=leverages, reference=reference, pin="X", ip_address="203.0.113.9")
    with pytest.raises(services.PortalLocked):
        services.portal_case_open(
            organization=leverages, reference=reference, pin=submitted.pin, ip_address="203.0.113.9"
        )
    home = services.portal_case_open(
        organization=leverages, reference=reference, pin=submitted.pin, ip_address="198.51.100.1"
    )
    assert home.pk == submitted.case.pk
    for n in range(7):
        with pytest.raises((services.PortalRefused, services.PortalLocked)):
            services.portal_case_open(organization=leverages, reference=reference, pin="X", ip_address=f"192.0.2.{n}")
    with pytest.raises(services.PortalLocked):
        services.portal_case_open(
            organization=leverages, reference=reference, pin=submitted.pin, ip_address="198.51.100.1"
        )


def test_one_hash_is_computed_whatever_was_typed_and_whether_the_reference_exists(leverages, monkeypatch):
    """No timing tells a reference that exists: a PIN with nothing in it is hashed too."""
    from django.contrib.auth.hashers import MD5PasswordHasher

    from requests_app.services.portal import _dummy_hash

    submitted = submit(leverages)
    _dummy_hash()
    calls = []
    original = MD5PasswordHasher.encode
    monkeypatch.setattr(MD5PasswordHasher, "encode", lambda self, *a, **k: calls.append(1) or original(self, *a, **k))
    counted = {}
    for label, reference in {"exists": submitted.case.reference, "missing": "2026-999999"}.items():
        for pin in ("-", "", "WRONGPIN22"):
            calls.clear()
            with pytest.raises(services.PortalRefused):
                services.portal_case_open(organization=leverages, reference=reference, pin=pin, ip_address=label + pin)
            counted[(label, pin)] = len(calls)
    assert set(counted.values()) == {1}


def test_documents_sent_online_are_limited_per_case(leverages, settings):
    settings.PORTAL_MAX_ONLINE_DOCUMENTS = 2
    case = submit(leverages).case  # one document already
    services.portal_document_upload(case=case, holder=Holder.DATA_SUBJECT, kind="passport", file=licence()["file"])
    with pytest.raises(services.TransitionNotAllowed):
        services.portal_document_upload(case=case, holder=Holder.DATA_SUBJECT, kind="passport", file=licence()["file"])
    assert case.documents.count() == 2


def test_uploads_from_one_address_are_limited_and_a_refusal_is_said(leverages, client, settings, desk_user):
    settings.PORTAL_SUBMISSIONS_PER_HOUR = 1
    submitted = submit(leverages)
    client.post(
        reverse("portal:status", args=[LEVERAGES]), {"reference": submitted.case.reference, "pin": submitted.pin}
    )
    url = reverse("portal:case", args=[LEVERAGES])

    def upload():
        data = {"holder": "data_subject", "kind": "passport", "masking_declared": "on"}
        return client.post(url, {**data, "file": SimpleUploadedFile("p.png", png_bytes())})

    assert upload().status_code == 302
    refused = upload()
    assert refused.status_code == 400 and "試行" in refused.content.decode()
    assert submitted.case.documents.count() == 2
    # A closed case refuses with a message too (no upload form there).
    settings.PORTAL_SUBMISSIONS_PER_HOUR = 100
    services.request_withdraw(actor=desk_user, case=submitted.case, reason="取下げ")
    closed = upload()
    assert closed.status_code == 400 and 'id="error-summary"' in closed.content.decode()


def test_the_confirmation_e_mail_carries_the_reference_only(leverages):
    submitted = submit(leverages, subject={"family_name": "http://evil.example", "email": "victim@example.jp"})
    mail.outbox.clear()
    assert services.portal_confirmation_send(request_id=submitted.case.pk, language="ja")
    [message] = mail.outbox
    assert submitted.case.reference in message.subject + message.body
    assert "evil.example" not in message.body and submitted.pin not in message.body
    assert message.to == ["victim@example.jp"]


def test_an_agents_error_is_shown_on_the_agents_field(leverages):
    with pytest.raises(ValidationError) as error:
        submit(
            leverages,
            agent={"agent_type": "minor_legal_rep", "family_name": "山田", "given_name": "x" * 101},
        )
    assert "agent_given_name" in error.value.message_dict and "given_name" not in error.value.message_dict


# ------------------------------------------------------------------------------------------
# Files sent with a letter (the disclosed records)
# ------------------------------------------------------------------------------------------
def _ready_result(organization, desk_user):
    case = submit(organization).case
    return case, result_letter(case, desk_user)


def test_the_disclosed_records_go_with_the_letter_by_link_and_are_logged(leverages, desk_user, client, tmp_path):
    """Art. 33-2 (electronic record): the records themselves reach the person, not only the letter."""
    submitted = submit(leverages)
    case = submitted.case
    letter = result_letter(case, desk_user)
    records = pdf_bytes()
    edit_letter(letter, desk_user, enclose=_checked("保有個人データ.pdf", records))
    [enclosure] = letter.enclosures.all()
    assert (enclosure.name, enclosure.size) == ("保有個人データ.pdf", len(records))
    assert records not in (tmp_path / "documents" / enclosure.storage_name).read_bytes()  # sealed
    mail.outbox.clear()
    response = services.response_send(actor=desk_user, letter=letter, method=DeliveryMethod.DOWNLOAD_LINK)
    assert "保有個人データ.pdf" in response.attachments and not mail.outbox[0].attachments
    url = re.search(r"https?://\S+(/portal/\S+)", mail.outbox[0].body).group(1)
    client.post(url, {"pin": submitted.pin})
    page = client.get(url).content.decode()
    assert "保有個人データ.pdf" in page
    got = client.get(f"{url}file/{enclosure.pk}/")
    assert got.status_code == 200 and got.content == records
    assert AccessLog.objects.filter(kind=AccessKind.PORTAL_DOWNLOAD, request=case).count() == 1


def test_an_enclosure_taken_off_or_a_discarded_draft_leaves_no_file(
    leverages, desk_user, tmp_path, django_capture_on_commit_callbacks
):
    _case, letter = _ready_result(leverages, desk_user)
    edit_letter(letter, desk_user, enclose=_checked("a.pdf", pdf_bytes()))
    edit_letter(letter, desk_user, enclose=_checked("b.png", png_bytes()))
    first, second = letter.enclosures.all()
    with django_capture_on_commit_callbacks(execute=True):
        edit_letter(letter, desk_user, remove=[first.pk])
    assert [e.name for e in letter.enclosures.all()] == ["b.png"]
    assert not (tmp_path / "documents" / first.storage_name).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.letter_discard(actor=desk_user, letter=letter)
    assert not (tmp_path / "documents" / second.storage_name).exists()


def test_an_e_mailed_letter_carries_its_enclosures(leverages, desk_user):
    case, letter = _ready_result(leverages, desk_user)
    records = pdf_bytes()
    edit_letter(letter, desk_user, enclose=_checked("records.pdf", records))
    mail.outbox.clear()
    services.response_send(actor=desk_user, letter=letter, method=DeliveryMethod.EMAIL)
    names = [name for name, _content, _type in mail.outbox[0].attachments]
    assert names == [f"{case.reference}-result.pdf", "records.pdf"]
    assert mail.outbox[0].attachments[1][1] == records


def test_the_retention_purge_erases_enclosed_files_and_their_names(
    leverages, desk_user, tmp_path, django_capture_on_commit_callbacks
):
    case, letter = _ready_result(leverages, desk_user)
    edit_letter(letter, desk_user, enclose=_checked("山田花子の記録.pdf", pdf_bytes()))
    stored = letter.enclosures.get().storage_name
    services.request_withdraw(actor=desk_user, case=case, reason="取下げ")
    from requests_app.models import LetterEnclosure

    with django_capture_on_commit_callbacks(execute=True):
        services.request_purge(case=Request.objects.get(pk=case.pk), today=D("2036-01-01"))
    enclosure = LetterEnclosure.objects.get()
    assert (enclosure.name, enclosure.storage_name) == ("（消去済）", "")
    assert not enclosure.history.filter(name="山田花子の記録.pdf").exists()
    assert not (tmp_path / "documents" / stored).exists()


@pytest.mark.parametrize(
    ("address", "counted_as"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("not an address", "-"),
        (None, "-"),
    ],
)
def test_an_ipv6_subscriber_counts_as_one_address(address, counted_as):
    from requests_app.services.portal import address_key

    assert address_key(address) == counted_as


def test_an_enclosures_name_ends_in_what_the_file_is(leverages, desk_user):
    _case, letter = _ready_result(leverages, desk_user)
    import dataclasses

    for typed in ("records.exe.", "=?utf-8?b?ZXZpbC5leGU=?=", "x" * 250 + ".pdf", "記録.PDF", ""):
        edit_letter(letter, desk_user, enclose=dataclasses.replace(_checked("a.pdf", pdf_bytes()), name=typed))
    names = [e.name for e in letter.enclosures.all()]
    assert names[0] == "records.exe.pdf"
    assert "=?" not in names[1] and names[1].endswith(".pdf")
    assert len(names[2]) == 200 and names[2].endswith(".pdf")
    assert names[3] == "記録.PDF"
    assert names[4] == f"{letter.request.reference}.pdf"


def test_a_twelve_digit_file_name_is_said_beside_the_file_field(leverages, desk_user):
    _case, letter = _ready_result(leverages, desk_user)
    with pytest.raises(ValidationError) as error:
        edit_letter(letter, desk_user, enclose=_checked("123456789012.pdf", pdf_bytes()))
    assert list(error.value.message_dict) == ["enclose"]
    assert not letter.enclosures.exists()


def test_a_discarded_drafts_file_names_go_with_the_retention_purge(
    leverages, desk_user, django_capture_on_commit_callbacks
):
    from requests_app.models import LetterEnclosure

    case, letter = _ready_result(leverages, desk_user)
    edit_letter(letter, desk_user, enclose=_checked("山田太郎_記録.pdf", pdf_bytes()))
    services.letter_discard(actor=desk_user, letter=letter)
    services.request_withdraw(actor=desk_user, case=case, reason="取下げ")
    with django_capture_on_commit_callbacks(execute=True):
        services.request_purge(case=Request.objects.get(pk=case.pk), today=D("2036-01-01"))
    assert not LetterEnclosure.history.filter(name="山田太郎_記録.pdf").exists()


def test_the_case_history_shows_files_links_and_the_pin_issued(leverages, desk_user, client):
    submitted = submit(leverages)
    response, _letter = _answered_by_link(submitted.case, desk_user)
    services.delivery_link_revoke(actor=desk_user, response=response, reason="誤送信")
    client.force_login(desk_user)
    page = client.get(reverse("admin:requests_app_request_case_history", args=[submitted.case.pk])).content.decode()
    assert "ダウンロードリンク" in page and "誤送信" in page and "オンライン照会" in page
