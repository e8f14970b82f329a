"""Identity-document files (issue 12): PDF, JPEG or PNG by content, 10 MB at most, sealed at rest
under a key from the environment (MultiFernet, rotatable), never under a public URL, opened only
through a permission-checked view that writes the access log, erased at disposal."""

import datetime as dt
import io

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from PIL import Image

from privacyops.audit.models import AccessLog
from requests_app import document_files, services
from requests_app.models import DocumentFile, DocumentKind, IdentityDocument, Status
from requests_app.seeds import JUO
from tests.desk import action_url, case_url, errors_of, form_defaults
from tests.factories import document_data, register

D = dt.date.fromisoformat


def png_bytes(size=(60, 40), colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (10, 120, 30)).save(out, "JPEG")
    return out.getvalue()


def pdf_bytes(javascript: str | None = None, link: str | None = None, attachment: bool = False) -> bytes:
    """A one-page PDF written by pypdf, with a script run on opening, a link or an attached
    file when asked."""
    from pypdf import PdfWriter
    from pypdf.annotations import Link

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    if javascript:
        from pypdf.actions import JavaScript

        writer.add_open_action(JavaScript(javascript))
    if link:
        writer.add_annotation(0, Link(rect=(0, 0, 200, 200), url=link))
    if attachment:
        writer.add_attachment("payload.exe", b"MZ" + b"\x00" * 64)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def huge_png_header(width=20000, height=20000) -> bytes:
    """A PNG that says it is 400 megapixels: refused from its header, before any decoding."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def hand_pdf(annotation: bytes) -> bytes:
    """A one-page PDF written by hand with ``annotation`` on the page (object 5 is /Launch)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Annots [4 0 R] >>",
        annotation,
        b"/Launch",
    ]
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


PDF = pdf_bytes()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture(autouse=True)
def own_storage(settings, tmp_path):
    """Each test its own folder of sealed files."""
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {**settings.STORAGES["documents"], "OPTIONS": {"location": str(tmp_path / "documents")}},
    }


@pytest.fixture
def case(travel, desk_user, policies):
    travel("2026-12-01")
    return register(desk_user, policies[JUO], reached_on=D("2026-12-01"))


def _record(case, actor, data: bytes, name="license.png"):
    checked = document_files.check_upload(upload(name, data))
    return services.document_record(
        actor=actor, case=case, file=checked, **document_data(DocumentKind.DRIVERS_LICENSE, received_on=D("2026-12-01"))
    )


# ------------------------------------------------------------------------------------------
# What is accepted
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "data"),
    [("license.png", png_bytes()), ("scan.JPG", jpeg_bytes()), ("form.pdf", PDF), ("no-extension", png_bytes())],
)
def test_pdf_jpeg_and_png_are_accepted_by_their_content(name, data):
    checked = document_files.check_upload(upload(name, data))
    assert checked.data == data and checked.size == len(data)


@pytest.mark.parametrize("name", ["license.exe", "license.EXE", "license.png.exe", "license.html", "license.svg"])
def test_a_png_renamed_to_another_type_is_refused(name):
    with pytest.raises(ValidationError, match="PNG"):
        document_files.check_upload(upload(name, png_bytes()))


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("license.png", b"MZ\x90\x00" + b"\x00" * 200),  # a Windows program named .png
        ("license.pdf", b"<html><script>alert(1)</script></html>"),
        ("license.jpg", b"GIF89a" + b"\x00" * 50),
        ("license.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
    ],
)
def test_other_content_is_refused_whatever_its_name(name, data):
    with pytest.raises(ValidationError, match="PDF・JPEG・PNG"):
        document_files.check_upload(upload(name, data))


@override_settings(DOCUMENT_FILE_MAX_MB=1)
def test_an_oversize_file_is_refused():
    big = png_bytes()
    big += b"\x00" * (1024 * 1024 + 1 - len(big))
    with pytest.raises(ValidationError, match="1 MB"):
        document_files.check_upload(upload("big.png", big))


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "empty"),
        (png_bytes()[:-30], "damaged"),  # cut short
        (PDF.replace(b"%%EOF", b""), "incomplete"),
        (pdf_bytes(javascript="app.alert(1)"), "scripts"),
        # Found by an attacker: names spelled with #xx escapes, actions without a space, links,
        # and a page of HTML that calls itself a PDF.
        (pdf_bytes(javascript="app.alert(1)").replace(b"/JavaScript", b"/J#61vaScript"), "scripts"),
        (pdf_bytes(javascript="app.alert(1)").replace(b"/JS", b"/J#53"), "scripts"),
        (pdf_bytes(link="https://evil.example/phish"), "scripts"),
        (pdf_bytes(attachment=True), "scripts"),
        (PDF.replace(b"/Type /Catalog", b"/Type /Catalog /AA<</O<</S/Launch/F(cmd.exe)>>>>"), "scripts"),
        (PDF.replace(b"/Type /Catalog", b"/Type /Catalog /Op#65nAction<</S/L#61unch/F(x)>>"), "scripts"),
        (b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n", "damaged"),
        # Found by a second attacker: the action type behind a reference, a file attachment
        # annotation, a rich-media annotation.
        (hand_pdf(b"<< /Type /Annot /Subtype /Link /Rect [0 0 200 200] /A << /S 5 0 R /F (cmd.exe) >> >>"), "scripts"),
        (hand_pdf(b"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 9 9] /FS << /F (x.exe) >> >>"), "scripts"),
        (hand_pdf(b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 9 9] >>"), "scripts"),
        (huge_png_header(), "too large in pixels"),
    ],
)
def test_damaged_empty_or_active_files_are_refused(data, match):
    with translation_en(), pytest.raises(ValidationError, match=match):
        document_files.check_upload(upload("x.pdf" if data.startswith(b"%PDF") else "x.png", data))


def test_a_script_inside_a_compressed_object_stream_is_found():
    """pypdf opens object streams: a script hidden in one is seen like any other."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(javascript="app.alert(1)"))))
    writer.compress_identical_objects()
    out = io.BytesIO()
    writer.write(out)
    with translation_en(), pytest.raises(ValidationError, match="scripts"):
        document_files.check_upload(upload("x.pdf", out.getvalue()))


def test_a_decompression_bomb_is_refused(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # 60 × 40 = 2,400 pixels: "too large"
    with translation_en(), pytest.raises(ValidationError, match="too large in pixels"):
        document_files.check_upload(upload("x.png", png_bytes()))


def translation_en():
    from django.utils import translation

    return translation.override("en")


# ------------------------------------------------------------------------------------------
# Kept sealed, opened through the view only
# ------------------------------------------------------------------------------------------
def test_the_stored_file_does_not_contain_the_original_bytes(case, desk_user, settings):
    data = png_bytes()
    document = _record(case, desk_user, data)
    attached = document.file
    raw = document_files.storage().path(attached.storage_name)
    with open(raw, "rb") as handle:
        stored = handle.read()
    assert data not in stored and b"PNG" not in stored and b"IHDR" not in stored
    assert attached.storage_name.endswith(".sealed") and str(case.reference) not in attached.storage_name
    assert not hasattr(settings, "MEDIA_URL") or "documents" not in (settings.MEDIA_URL or "")
    assert document_files.read(attached.storage_name) == data
    assert attached.sha256 == __import__("hashlib").sha256(data).hexdigest()


def test_staff_open_the_file_and_each_opening_is_logged(case, desk_user, client):
    data = png_bytes()
    document = _record(case, desk_user, data)
    client.force_login(desk_user)
    url = f"/admin/requests_app/request/{case.pk}/document/{document.pk}/file/"
    response = client.get(url)
    assert response.status_code == 200 and response.content == data
    assert response["Content-Type"] == "image/png"
    assert "no-store" in response["Cache-Control"] and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"]  # the site's CSP applies here too
    event = AccessLog.objects.get(kind="document_file")
    assert event.user == desk_user and event.request == case and event.path == url


def test_a_desk_user_of_another_organization_gets_404_on_the_file(case, desk_user, other_org_user, client):
    document = _record(case, desk_user, png_bytes())
    client.force_login(other_org_user)
    response = client.get(f"/admin/requests_app/request/{case.pk}/document/{document.pk}/file/")
    assert response.status_code == 404
    assert not AccessLog.objects.filter(kind="document_file").exists()


def test_a_file_of_another_case_is_not_reachable_through_this_case(case, desk_user, policies, client):
    other = register(desk_user, policies[JUO], reached_on=D("2026-12-01"))
    document = _record(other, desk_user, png_bytes())
    client.force_login(desk_user)
    assert client.get(f"/admin/requests_app/request/{case.pk}/document/{document.pk}/file/").status_code == 404


def test_an_auditor_sees_that_a_file_was_kept_but_cannot_open_it(case, desk_user, auditor_user, client):
    document = _record(case, desk_user, png_bytes())
    client.force_login(auditor_user)
    assert client.get(f"/admin/requests_app/request/{case.pk}/document/{document.pk}/file/").status_code == 403
    page = client.get(case_url(case)).content.decode()
    assert "PNG" in page and "/file/" not in page


def test_the_case_page_shows_the_image_beside_its_masking_check(case, desk_user, client):
    document = _record(case, desk_user, png_bytes())
    client.force_login(desk_user)
    html = client.get(case_url(case)).content.decode()
    row = html[html.index('<td class="po-document-file">') :]
    row = row[: row.index("</tr>")]
    assert f'<img class="po-id-image" src="/admin/requests_app/request/{case.pk}/document/{document.pk}/file/"' in row
    assert "開く (PNG" in row  # "Open" as for a file, not the task status 「未了」
    assert "マイナンバー" in html or "個人番号" in html  # the masking columns of the same row


# ------------------------------------------------------------------------------------------
# Through the desk's forms
# ------------------------------------------------------------------------------------------
def test_a_refused_file_keeps_the_input_and_saves_nothing(case, desk_user, client):
    client.force_login(desk_user)
    url = action_url(case, "record-document")
    data = form_defaults(client.get(url).content.decode())
    data.update(
        kind=DocumentKind.DRIVERS_LICENSE, description="運転免許証（表）", file=upload("license.exe", png_bytes())
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "PNG" in errors_of(response) and "運転免許証（表）" in response.content.decode()
    assert not IdentityDocument.objects.filter(request=case).exists()
    assert not DocumentFile.objects.exists()
    assert not document_files.storage().exists("") or not document_files.storage().listdir("")[1]


def test_a_file_is_attached_to_a_document_recorded_without_it(case, desk_user, client):
    document = services.document_record(
        actor=desk_user, case=case, **document_data(DocumentKind.DRIVERS_LICENSE, received_on=D("2026-12-01"))
    )
    client.force_login(desk_user)
    html = client.get(case_url(case)).content.decode()
    assert f"attach-file/?document={document.pk}" in html
    url = f"{action_url(case, 'attach-file')}?document={document.pk}"
    data = form_defaults(client.get(url).content.decode())
    data["file"] = upload("scan.pdf", PDF)
    response = client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    document.refresh_from_db()
    assert document.file.content_type == "application/pdf" and document.file.size == len(PDF)
    # Only once: the link is gone and the service refuses a second file.
    assert f"attach-file/?document={document.pk}" not in client.get(case_url(case)).content.decode()
    with pytest.raises(services.TransitionNotAllowed):
        services.document_attach_file(
            actor=desk_user, document=document, file=document_files.check_upload(upload("a.pdf", PDF))
        )


# ------------------------------------------------------------------------------------------
# Disposal and retention
# ------------------------------------------------------------------------------------------
def test_disposal_erases_the_file_and_the_record_says_it_is_gone(
    case, desk_user, client, django_capture_on_commit_callbacks
):
    document = _record(case, desk_user, png_bytes())
    stored = document.file.storage_name
    with django_capture_on_commit_callbacks(execute=True):
        services.document_dispose(
            actor=desk_user, case=case, documents=[document], disposed_on=D("2026-12-01"), method="file_deleted"
        )
    assert not document_files.storage().exists(stored)
    attached = DocumentFile.objects.get(document=document)
    assert attached.erased_at is not None and attached.erased_by == desk_user and attached.storage_name == ""
    client.force_login(desk_user)
    html = client.get(case_url(case)).content.decode()
    assert "ファイル消去" in html
    response = client.get(f"/admin/requests_app/request/{case.pk}/document/{document.pk}/file/")
    assert response.status_code == 302  # back to the case, with "this file was erased"
    history = DocumentFile.history.filter(id=attached.pk).order_by("history_id").last()
    assert history.erased_at is not None and history.history_operation == "dispose_documents"


def test_the_retention_purge_erases_files_never_disposed_of(case, desk_user, django_capture_on_commit_callbacks):
    from requests_app.services.retention import request_purge

    document = _record(case, desk_user, png_bytes())
    stored = document.file.storage_name
    services.request_withdraw(actor=desk_user, case=case, reason="本人より取下げ")
    with django_capture_on_commit_callbacks(execute=True):
        request_purge(case=case, today=D("2035-01-01"))
    assert not document_files.storage().exists(stored)
    assert DocumentFile.objects.get(document=document).erased_at is not None


# ------------------------------------------------------------------------------------------
# Keys
# ------------------------------------------------------------------------------------------
def test_rotation_reseals_every_file_under_the_new_key(case, desk_user, settings):
    old = settings.DOCUMENT_KEYS[0]
    data = png_bytes()
    document = _record(case, desk_user, data)
    new = Fernet.generate_key().decode()
    settings.DOCUMENT_KEYS = [new, old]
    out = io.StringIO()
    call_command("rotate_document_keys", "--dry-run", stdout=out)
    assert "1 file(s) to re-seal" in out.getvalue()
    out = io.StringIO()
    call_command("rotate_document_keys", stdout=out)
    assert "1 file(s) re-sealed" in out.getvalue()
    settings.DOCUMENT_KEYS = [new]  # the old key removed: the file still opens
    assert document_files.read(document.file.storage_name) == data
    out = io.StringIO()
    call_command("rotate_document_keys", stdout=out)
    assert "0 file(s) re-sealed, 1 already" in out.getvalue()


def test_a_file_no_key_opens_is_reported_not_served(case, desk_user, settings, client):
    from django.core.management.base import CommandError

    document = _record(case, desk_user, png_bytes())
    settings.DOCUMENT_KEYS = [Fernet.generate_key().decode()]  # the key was removed too early
    with pytest.raises(CommandError, match="no configured key opens it"):
        call_command("rotate_document_keys", stdout=io.StringIO())
    client.force_login(desk_user)
    response = client.get(f"/admin/requests_app/request/{case.pk}/document/{document.pk}/file/")
    assert response.status_code == 302
    assert not AccessLog.objects.filter(kind="document_file").exists()


def test_case_status_is_unchanged_by_attaching(case, desk_user):
    _record(case, desk_user, png_bytes())
    case.refresh_from_db()
    assert case.status == Status.RECEIVED


def test_the_verification_form_shows_the_copies_beside_their_masking(case, desk_user, client):
    document = _record(case, desk_user, png_bytes())
    services.request_start_verification(actor=desk_user, case=case)
    client.force_login(desk_user)
    html = client.get(action_url(case, "verify")).content.decode()
    figure = html[html.index('<figure class="po-verify-document">') :]
    figure = figure[: figure.index("</figure>")]
    assert f"/document/{document.pk}/file/" in figure and "<img" in figure
    assert document.get_individual_number_display() in figure


def test_the_case_history_says_which_document_got_a_file_and_when_it_was_erased(
    case, desk_user, client, django_capture_on_commit_callbacks
):
    document = _record(case, desk_user, png_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        services.document_dispose(
            actor=desk_user, case=case, documents=[document], disposed_on=D("2026-12-01"), method="file_deleted"
        )
    client.force_login(desk_user)
    html = client.get(f"/admin/requests_app/request/{case.pk}/case-history/").content.decode()
    assert f"{document.get_kind_display()} — PNG" in html
    assert "ファイル消去日時" in html  # the erasure is a change of the file's record
