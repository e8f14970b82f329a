"""The requester portal in Chromium (issue 14): a person sends a disclosure request online with a
copy of her driving licence, follows it, sends the document the desk asks for, and downloads the
answer by the link the desk e-mails; an agent sends with the proof of authority; five wrong PINs
lock a reference; an expired link is refused; another organization's reference reads like a wrong
one. The person's pages in Japanese, without signing in; the desk's in the admin."""

import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from privacyops.audit.models import AccessKind, AccessLog
from requests_app import services
from requests_app.models import Channel, DeliveryLink, PauseKind, Request, Status
from requests_app.seeds import JUO, LEVERAGES
from tests.e2e.test_desk_flow import confirm, fold, in_fold, log_in, message
from tests.factories import open_portal, result_letter
from tests.requests_app.test_document_files import pdf_bytes, png_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def field(page, label: str):
    """The portal's field labelled ``label`` (required ones carry "（必須）")."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*(（必須）)?\s*$"))


@pytest.fixture
def files(tmp_path):
    licence = tmp_path / "運転免許証.png"
    licence.write_bytes(png_bytes())
    register = tmp_path / "戸籍謄本.pdf"
    register.write_bytes(pdf_bytes())
    mine = tmp_path / "agent-id.png"
    mine.write_bytes(png_bytes(colour=(10, 120, 200)))
    records = tmp_path / "保有個人データ.pdf"
    records.write_bytes(pdf_bytes())
    return {"licence": licence, "register": register, "agent_id": mine, "records": records}


def send_request(page: Page, base: str, code: str, *, documents, agent=False) -> tuple[str, str]:
    """Fill the online form as a person would; returns the reference and the PIN shown once."""
    page.goto(f"{base}/portal/{code}/")
    expect(page.get_by_role("heading", name="個人情報の開示等のご請求")).to_be_visible()
    page.get_by_label(re.compile(r"^\s*開示")).check()  # "開示（手数料 1,000円）" where a fee is due
    field(page, "請求の内容").fill("応募時に登録した職務経歴と面談記録")
    field(page, "希望する開示方法").select_option(label="電磁的記録の提供")
    if agent:
        field(page, "請求する方").select_option(label="未成年者の法定代理人")
        field(page, "姓").fill("山田")
        field(page, "名").fill("太郎")
        field(page, "代理人の姓").fill("山田")
        field(page, "代理人の名").fill("一郎")
        field(page, "本人との関係").fill("父")
        field(page, "代理人のメールアドレス").fill("ichiro@example.jp")
    else:
        field(page, "姓").fill("山田")
        field(page, "名").fill("花子")
        field(page, "電子メール").fill("hanako@example.jp")
    for row, (holder, kind, path) in enumerate(documents):
        block = page.locator("fieldset.doc-row").nth(row)
        block.get_by_label("書類の名義").select_option(label=holder)
        field(block, "書類").select_option(label=kind)
        block.get_by_label("ファイル").set_input_files(str(path))
    page.get_by_label(re.compile("黒塗りしています")).check()
    field(page, "回答の受け取り方法").select_option(label="ダウンロードリンク（オンライン・PINで開く）")
    page.get_by_label(re.compile("取扱いについて確認しました")).check()
    page.get_by_role("button", name="請求を送信する").click()
    expect(page.get_by_role("heading", name="ご請求を受け付けました")).to_be_visible()
    assert page.url.endswith(f"/portal/{code}/")  # nothing personal in the address
    return page.locator("#reference").inner_text(), page.locator("#pin").inner_text()


def open_status(page: Page, base: str, code: str, reference: str, pin: str) -> None:
    page.goto(f"{base}/portal/{code}/status/")
    field(page, "受付番号").fill(reference)
    field(page, "PIN").fill(pin)
    page.get_by_role("button", name="開く").click()


def test_a_person_sends_follows_completes_and_downloads_the_answer(
    page: Page, live_server, seed_orgs, desk_user, files
):
    base = live_server.url
    open_portal(seed_orgs[LEVERAGES], intro="本人確認書類の写しをアップロードしてください。")

    # The form refuses what is missing, says it at the top and beside each field, keeps the rest.
    page.goto(f"{base}/portal/{LEVERAGES}/")
    field(page, "名").fill("花子")
    page.get_by_role("button", name="請求を送信する").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name=re.compile("^姓"))).to_be_visible()
    expect(field(page, "名")).to_have_value("花子")
    assert Request.objects.count() == 0

    reference, pin = send_request(page, base, LEVERAGES, documents=[("本人", "運転免許証", files["licence"])])
    case = Request.objects.get(reference=reference)
    assert (case.channel, case.status, case.documents.get().file.content_type) == (
        Channel.WEB_FORM,
        Status.RECEIVED,
        "image/png",
    )
    # Shown once: the page is not kept (no-store) and the address shows a fresh form.
    page.goto(f"{base}/portal/{LEVERAGES}/")
    expect(page.get_by_text(pin)).to_have_count(0)

    # Where it stands: received, the document, the due date.
    open_status(page, base, LEVERAGES, reference, pin.lower().replace("-", " "))
    expect(page.get_by_text("受け付けました。次に本人確認書類を確認します。")).to_be_visible()
    expect(page.get_by_text(re.compile(r"運転免許証 \(本人\)"))).to_be_visible()

    # The desk asks for a certificate of residence: the clock stops; the person sees what is wanted.
    services.request_pause(
        actor=desk_user, case=case, kind=PauseKind.MISSING_DOCUMENT, note="住民票の写しをお送りください。"
    )
    page.reload()
    need = page.locator("section", has=page.get_by_role("heading", name="お願いしたいこと"))
    expect(need.get_by_text("住民票の写しをお送りください。")).to_be_visible()
    upload = page.locator("section", has=page.get_by_role("heading", name="書類を送る"))
    field(upload, "書類").select_option(label="住民票の写し")
    upload.get_by_label("ファイル").set_input_files(str(files["register"]))
    upload.get_by_label(re.compile("黒塗りしています")).check()
    upload.get_by_role("button", name="書類を送信する").click()
    expect(page.get_by_text("書類を受け取りました。ありがとうございます。")).to_be_visible()
    case.refresh_from_db()
    assert case.status == Status.RECEIVED and case.pauses.get().ended_on == timezone.localdate()

    # The desk answers and sends the result by download link from the case page.
    letter = result_letter(case, desk_user)
    mail.outbox.clear()
    desk = page.context.browser.new_context(locale="ja-JP", viewport={"width": 1400, "height": 1000}).new_page()
    log_in(desk, base, desk_user.username)
    desk.goto(f"{base}/admin/requests_app/request/{case.pk}/change/")
    # The disclosed records go with the letter (Art. 33-2: by electronic record).
    desk.get_by_role("link", name="編集", exact=True).first.click()
    desk.get_by_label("書面と一緒に送るファイルを追加").set_input_files(str(files["records"]))
    desk.get_by_role("button", name=re.compile("書面の編集")).click()
    desk.goto(f"{base}/admin/requests_app/request/{case.pk}/change/")
    opened = fold(desk, "送付")
    in_fold(opened, "送付方法").select_option(label="ダウンロードリンク（オンライン・PINで開く）")
    confirm(opened, "書面の送付")
    message(desk, "送付")
    expect(desk.get_by_text(re.compile("リンク有効期限"))).to_be_visible()
    desk.context.close()
    [sent] = [m for m in mail.outbox if reference in m.subject]
    assert not sent.attachments and letter.body[:40] not in sent.body
    link = re.search(r"https?://\S+(/portal/\S+)", sent.body).group(1)

    # The person opens the link, gives the PIN, downloads the letter.
    page.context.clear_cookies()
    page.goto(base + link)
    field(page, "PIN").fill(pin)
    page.get_by_role("button", name="開く").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="回答書をダウンロード（PDF）").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    with page.expect_download() as records:
        page.get_by_role("link", name="保有個人データ.pdf").click()
    with open(records.value.path(), "rb") as got:
        assert got.read() == files["records"].read_bytes()
    assert AccessLog.objects.filter(kind=AccessKind.PORTAL_DOWNLOAD, request=case).count() == 2


def test_an_agent_sends_with_the_proof_of_authority(page: Page, live_server, seed_orgs, files):
    base = live_server.url
    open_portal(seed_orgs[LEVERAGES])
    reference, _pin = send_request(
        page,
        base,
        LEVERAGES,
        agent=True,
        documents=[
            ("代理人", "運転免許証", files["agent_id"]),
            ("本人", "戸籍謄本・抄本", files["register"]),
        ],
    )
    case = Request.objects.get(reference=reference)
    assert case.agent.agent_type == "minor_legal_rep" and case.agent.email == "ichiro@example.jp"
    kinds = sorted((d.holder, d.kind) for d in case.documents.all())
    assert kinds == [("agent", "drivers_license"), ("data_subject", "family_register_extract")]
    assert all(hasattr(d, "file") for d in case.documents.all())


def test_five_wrong_pins_lock_and_another_organizations_reference_reads_the_same(
    page: Page, live_server, seed_orgs, files
):
    base = live_server.url
    open_portal(seed_orgs[LEVERAGES])
    open_portal(seed_orgs[JUO])
    ours, pin = send_request(page, base, LEVERAGES, documents=[("本人", "運転免許証", files["licence"])])
    theirs, their_pin = send_request(page, base, JUO, documents=[("本人", "運転免許証", files["licence"])])

    def attempt(code, reference, typed) -> str:
        open_status(page, base, code, reference, typed)
        return page.locator("#error-summary").inner_text()

    # JUO's case with its own right PIN, typed at Leverages: exactly what a wrong reference gets.
    assert attempt(LEVERAGES, theirs, their_pin) == attempt(LEVERAGES, "2026-999998", their_pin)
    for left in (4, 3, 2, 1):
        assert f"あと{left}回" in attempt(LEVERAGES, ours, "AAAA-BBBB-CC")
    locked = attempt(LEVERAGES, ours, "AAAA-BBBB-CC")
    assert "ロックされています" in locked
    assert "ロックされています" in attempt(LEVERAGES, ours, pin)  # the right PIN too, while locked


def test_an_expired_link_is_refused(page: Page, live_server, seed_orgs, desk_user, files):
    base = live_server.url
    open_portal(seed_orgs[LEVERAGES])
    reference, _pin = send_request(page, base, LEVERAGES, documents=[("本人", "運転免許証", files["licence"])])
    case = Request.objects.get(reference=reference)
    letter = result_letter(case, desk_user)
    mail.outbox.clear()
    services.response_send(actor=desk_user, letter=letter, method="download_link")
    link = re.search(r"https?://\S+(/portal/\S+)", mail.outbox[-1].body).group(1)
    DeliveryLink.objects.update(expires_at=timezone.now() - timezone.timedelta(minutes=1))
    page.goto(base + link)
    expect(page.get_by_role("heading", name="このリンクはご利用いただけません")).to_be_visible()
    expect(page.get_by_text(re.compile(r"\d{4}-\d\d-\d\d の終わりまで有効でした"))).to_be_visible()
    expect(page.get_by_label("PIN")).to_have_count(0)
