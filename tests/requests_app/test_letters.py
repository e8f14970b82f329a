"""Letters (SPEC §9): drafted from the case with the right fee, contact, dates and reasons, for each
seed organization; addressed per policy; printable on A4; a PDF with the Japanese text in it."""

import datetime as dt
import shutil
import subprocess

import pytest
from django.utils import translation

from requests_app import letters, services
from requests_app.models import (
    AgentType,
    DocumentKind,
    Ground,
    LetterKind,
    LetterTemplate,
    Outcome,
    PauseKind,
    PaymentMethod,
    ReplyTo,
    Status,
    VerificationOutcome,
)
from requests_app.seeds import COPRO, JUO, LEVERAGES, PLUS_UP, RECRUIT_CC
from tests.factories import document_data, register

D = dt.date.fromisoformat
K = DocumentKind
ALL_ORGS = [PLUS_UP, RECRUIT_CC, JUO, COPRO, LEVERAGES]
REASON = "面接官による社内評価メモは、開示により採用選考業務の適正な実施に著しい支障を及ぼすおそれがあるため。"

# What each organization's letters must carry as its contact (SPEC §3, the seeds).
CONTACT = {
    PLUS_UP: ["株式会社PLUS UP", "privacy@sample.com"],
    RECRUIT_CC: ["株式会社リクルートキャリアコンサルティング", "0120-933-728", "平日10:00-17:00"],
    JUO: ["JUO株式会社", "info@career-model.com", "東京都新宿区西新宿3-3-13"],
    COPRO: ["株式会社コプロ・ホールディングス", "052-589-3066", "〒450-6427", "JIPDEC"],
    LEVERAGES: ["レバレジーズ株式会社", "03-5774-1632", "渋谷スクランブルスクエア"],
}
FEES = {PLUS_UP: 0, RECRUIT_CC: 0, JUO: 1000, COPRO: 500, LEVERAGES: 0}


def documents_for(code):
    return [] if code in {PLUS_UP, JUO} else [document_data(K.DRIVERS_LICENSE)]


def payments_for(code, day):
    fee = FEES[code]
    if not fee:
        return []
    method = PaymentMethod.BANK_TRANSFER if code == JUO else PaymentMethod.POSTAL_MONEY_ORDER
    return [{"amount": fee, "method": method, "received_on": day}]


@pytest.fixture
def responding_case(travel, desk_user, manager_user, policies):
    """A case of ``code`` answered with a partial disclosure, approved, ready for its result letter."""

    def make(code):
        travel("2026-11-20")
        case = register(
            desk_user,
            policies[code],
            kinds=("disclosure",),
            reached_on=D("2026-11-16"),
            documents=documents_for(code),
            payments=payments_for(code, D("2026-11-16")),
            items=[{"kind": "disclosure", "details": "応募時の面接記録", "requested_method": "paper"}],
        )
        services.request_start_verification(actor=desk_user, case=case)
        services.request_verify(actor=desk_user, case=case, outcome=VerificationOutcome.VERIFIED, name_matches=True)
        services.item_decide(
            actor=desk_user,
            item=case.items.get(),
            outcome=Outcome.PARTIAL,
            ground=Ground.BUSINESS_INTERFERENCE,
            reason_text=REASON,
            method_used="paper",
        )
        services.request_submit_decisions(actor=desk_user, case=case)
        services.decision_approve(actor=manager_user, case=case)
        case.refresh_from_db()
        assert case.status == Status.RESPONDING
        return case

    return make


@pytest.mark.parametrize("code", ALL_ORGS)
def test_result_letter_for_each_organization(responding_case, desk_user, code):
    case = responding_case(code)

    letter = services.letter_draft(actor=desk_user, case=case, kind=LetterKind.RESULT)

    body = letter.body
    assert letter.title == "保有個人データの開示等の請求に対する回答"
    assert case.reference in body
    assert "2026年11月16日に受け付けましたご請求" in body
    assert "回答：ご請求の一部に応じます" in body  # the requester's words, not the desk's label (一部対応)
    assert "法33条2項2号：業務の適正な実施に著しい支障を及ぼすおそれ" in body
    assert f"理由：{REASON}" in body
    assert "個人情報の保護に関する法律第36条" in body
    assert "開示の方法：書面の交付" in body
    for line in CONTACT[code]:
        assert line in body + letter.sender, line
    if FEES[code]:
        assert f"手数料　{FEES[code]:,}円を受領いたしました。" in body
    else:
        assert "手数料" not in body
    assert letter.letter_date == D("2026-11-20")
    assert list(letter.items.all()) == list(case.items.all())


@pytest.mark.parametrize("code", ALL_ORGS)
def test_acknowledgement_states_the_due_date_or_what_is_missing(travel, desk_user, policies, code):
    travel("2026-11-20")
    case = register(desk_user, policies[code], kinds=("disclosure",), reached_on=D("2026-11-20"))

    letter = services.letter_draft(actor=desk_user, case=case, kind=LetterKind.ACKNOWLEDGEMENT)

    assert f"受付番号　{case.reference}" in letter.body
    assert "2026年11月20日に受け付けました" in letter.body
    for line in CONTACT[code]:
        assert line in letter.body + letter.sender, line
    if case.due_on:
        assert f"回答予定日　{case.due_on.year}年{case.due_on.month}月{case.due_on.day}日までに" in letter.body
    else:
        assert "すべて揃った日から起算して回答" in letter.body
    if FEES[code]:
        assert f"手数料　{FEES[code]:,}円（受領済 0円、不足 {FEES[code]:,}円）" in letter.body


def test_request_for_the_missing_fee_is_drafted_when_the_case_pauses(travel, desk_user, policies):
    travel("2026-12-24")
    case = register(
        desk_user,
        policies[COPRO],
        kinds=("disclosure", "purpose_notice"),
        reached_on=D("2026-12-24"),
        payments=payments_for(COPRO, D("2026-12-24")),
    )

    services.request_pause(actor=desk_user, case=case, kind=PauseKind.FEE_SHORTFALL, note="不足額500円の送付依頼")

    letter = case.letters.get(kind=LetterKind.REQUEST_MISSING)
    assert "不足額 500円を定額小為替にてお送りください" in letter.body
    assert "手数料が不足している場合、開示・利用目的の通知は行えません。" in letter.body
    assert "不足額500円の送付依頼" in letter.body
    assert "本人の本人確認書類" in letter.body  # COPRO needs an ID copy, none was enclosed


def test_rejection_letter_gives_the_reason_of_the_failed_verification(travel, desk_user, policies):
    travel("2026-11-20")
    case = register(
        desk_user, policies[COPRO], reached_on=D("2026-11-20"), documents=[document_data(K.DRIVERS_LICENSE)]
    )
    services.request_start_verification(actor=desk_user, case=case)

    services.request_verify(
        actor=desk_user, case=case, outcome=VerificationOutcome.FAILED, note="書類の氏名が請求書の氏名と一致しません。"
    )

    letter = case.letters.get(kind=LetterKind.REJECTION)
    assert "理由　書類の氏名が請求書の氏名と一致しません。" in letter.body
    assert "簡易書留" in letter.body  # how to ask again, from COPRO's procedure


def test_withdrawal_letter(travel, desk_user, policies):
    travel("2026-11-20")
    case = register(desk_user, policies[JUO], reached_on=D("2026-11-18"))

    services.request_withdraw(actor=desk_user, case=case, reason="メールで取下げのご連絡")

    letter = case.letters.get(kind=LetterKind.WITHDRAWAL)
    assert "2026年11月20日に取下げのお申し出を承りました" in letter.body
    assert "メールで取下げのご連絡" in letter.body


def test_extension_notice_where_the_policy_allows_it(travel, desk_user, policies):
    travel("2026-11-20")
    policy = policies[LEVERAGES]
    policy.extension_limit, policy.extension_notice_limit = 10, 14
    policy.save()
    case = register(desk_user, policy, reached_on=D("2026-11-16"), documents=[document_data(K.PASSPORT)])
    assert case.due_on == D("2026-12-07")  # 11-23 is a holiday

    letter = services.request_extend(actor=desk_user, case=case, reason="対象データが複数のシステムにわたるため")

    case.refresh_from_db()
    assert case.extended_on == D("2026-11-20")
    assert case.due_on == D("2026-12-21")  # 24 business days from 11-16
    assert "延長後の回答期限　2026年12月21日" in letter.body
    assert "延長の理由　対象データが複数のシステムにわたるため" in letter.body
    with pytest.raises(services.TransitionNotAllowed):
        services.request_extend(actor=desk_user, case=case, reason="再延長")


def test_extension_refused_where_the_policy_does_not_allow_it_or_too_late(travel, desk_user, policies):
    travel("2026-11-20")
    case = register(desk_user, policies[LEVERAGES], reached_on=D("2026-11-16"), documents=[document_data(K.PASSPORT)])
    with translation.override("en"), pytest.raises(services.TransitionNotAllowed, match="does not allow"):
        services.request_extend(actor=desk_user, case=case, reason="理由")

    policy = policies[LEVERAGES]
    policy.extension_limit, policy.extension_notice_limit = 10, 2
    policy.save()
    with translation.override("en"), pytest.raises(services.TransitionNotAllowed, match="notified by 2026-11-18"):
        services.request_extend(actor=desk_user, case=case, reason="理由")


def test_agents_request_is_answered_to_the_agent_at_the_address_on_the_form(travel, desk_user, policies):
    travel("2026-11-20")
    case = register(
        desk_user,
        policies[COPRO],
        reached_on=D("2026-11-20"),
        agent={
            "agent_type": AgentType.ENTRUSTED,
            "family_name": "山田",
            "given_name": "一郎",
            "postal_code": "464-0002",
            "address": "愛知県名古屋市千種区4-5-6",
        },
    )

    letter = services.letter_draft(actor=desk_user, case=case, kind=LetterKind.ACKNOWLEDGEMENT)

    assert letter.addressee == "〒464-0002\n愛知県名古屋市千種区4-5-6\n山田 花子 様 代理人\n山田 一郎 様"


def test_reply_to_the_registered_address_when_the_case_says_so(travel, desk_user, policies):
    travel("2026-11-20")
    case = register(desk_user, policies[COPRO], reached_on=D("2026-11-20"), reply_to=ReplyTo.REGISTERED_ADDRESS)
    subject = case.data_subject
    subject.registered_postal_code, subject.registered_address = "460-0001", "愛知県名古屋市中区三の丸1-1"
    subject.save()

    letter = services.letter_draft(actor=desk_user, case=case, kind=LetterKind.ACKNOWLEDGEMENT)

    assert letter.addressee == "〒460-0001\n愛知県名古屋市中区三の丸1-1\n山田 花子 様"


def test_english_letter(responding_case, desk_user):
    case = responding_case(LEVERAGES)

    letter = services.letter_draft(actor=desk_user, case=case, kind=LetterKind.RESULT, language="en")

    assert letter.title == "Answer to your request concerning personal data"
    assert "We answer your request received on November 16, 2026" in letter.body
    assert "Answer: We comply with part of your request" in letter.body
    assert "Ground: Art. 33-2 (ii): serious interference with the business" in letter.body
    assert f"Reason: {REASON}" in letter.body
    assert letter.sender.startswith("Leverages Co., Ltd.")


def test_an_organization_can_use_its_own_wording_without_code(responding_case, desk_user, seed_orgs):
    LetterTemplate.objects.create(
        organization=seed_orgs[JUO],
        kind=LetterKind.RESULT,
        language="ja",
        title="CareerModel 開示請求へのご回答",
        body="{{ subject.full_name }} 様\n受付番号 {{ case.reference }} の件、"
        "{% for item in items %}{{ item.kind }}：{{ item.outcome }}{% endfor %}"
        "{{ case.created_by.password }}{{ organization.staff.all }}",  # plain values only: these are empty
    )
    juo, copro = responding_case(JUO), responding_case(COPRO)

    own = services.letter_draft(actor=desk_user, case=juo, kind=LetterKind.RESULT)
    standard = services.letter_draft(actor=desk_user, case=copro, kind=LetterKind.RESULT)

    assert own.title == "CareerModel 開示請求へのご回答"
    assert own.body == f"山田 花子 様\n受付番号 {juo.reference} の件、開示：ご請求の一部に応じます\n"
    assert standard.title == "保有個人データの開示等の請求に対する回答"


def test_draft_is_editable_and_the_sent_text_is_frozen(responding_case, desk_user):
    case = responding_case(COPRO)
    letter = services.letter_draft(actor=desk_user, case=case, kind=LetterKind.RESULT)
    edited_body = letter.body.replace("拝啓", "拝啓（担当者より一言添えます）")

    services.letter_update(
        actor=desk_user,
        letter=letter,
        letter_date=D("2026-11-20"),
        addressee=letter.addressee,
        sender=letter.sender,
        title=letter.title,
        body=edited_body,
    )
    letter.refresh_from_db()
    response = services.response_send(
        actor=desk_user, letter=letter, method="registered_mail", tracking_number="1234-5678-901"
    )

    assert response.text_sent == letters.plain_text(letter)
    assert "担当者より一言添えます" in response.text_sent
    with pytest.raises(services.TransitionNotAllowed):
        services.letter_update(
            actor=desk_user,
            letter=letter,
            letter_date=D("2026-11-20"),
            addressee=letter.addressee,
            sender=letter.sender,
            title=letter.title,
            body="書き換え",
        )


def test_print_page_is_an_a4_letter(client, responding_case, desk_user):
    case = responding_case(COPRO)
    letter = services.letter_draft(actor=desk_user, case=case, kind=LetterKind.RESULT)
    client.force_login(desk_user)

    page = client.get(f"/admin/requests_app/request/{case.pk}/letter/{letter.pk}/print/").content.decode()

    assert "size: A4" in page
    assert "2026年11月20日" in page
    assert "保有個人データの開示等の請求に対する回答" in page
    assert REASON in page
    assert "下書き" in page or "DRAFT" in page


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is installed by .ci/run")
def test_pdf_contains_the_japanese_text_with_embedded_fonts(client, responding_case, desk_user, tmp_path):
    case = responding_case(COPRO)
    letter = services.letter_draft(actor=desk_user, case=case, kind=LetterKind.RESULT)
    client.force_login(desk_user)

    response = client.get(f"/admin/requests_app/request/{case.pk}/letter/{letter.pk}/pdf/")

    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "letter.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout  # noqa: S603, S607
    compact = "".join(text.split())
    assert "保有個人データの開示等の請求に対する回答" in compact
    assert case.reference in compact
    assert "株式会社コプロ・ホールディングス" in compact
    assert "".join(REASON.split()) in compact
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout  # noqa: S603, S607
    font_rows = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert font_rows, fonts
    assert all(" yes " in row for row in font_rows), fonts  # every font embedded


# ------------------------------------------------------------------------------------------
# Requester-facing wording, fee payment details, the form sent after a phone call (issue 13)
# ------------------------------------------------------------------------------------------
STAFF_LABELS = [
    "対応する（全部）",
    "一部対応",
    "対応しない",
    "該当なし（保有なし）",
    "セルフサービスで解決",
    "代替措置",
]


@pytest.mark.parametrize(
    ("outcome", "words", "extra"),
    [
        (Outcome.COMPLY, "ご請求に応じます", {}),
        (Outcome.NO_DATA, "該当する保有個人データはありません", {}),
        (Outcome.SELF_SERVICE, "会員ページからご自身でお手続きいただけます", {}),
    ],
)
def test_the_answer_is_said_as_the_requester_understands_it(travel, desk_user, policies, outcome, words, extra):
    """Every outcome in the requester's words; none of the desk's labels reaches the letter."""
    travel("2026-11-20")
    case = register(desk_user, policies[PLUS_UP], kinds=("correction",), reached_on=D("2026-11-20"))
    if outcome != Outcome.SELF_SERVICE:
        services.request_verify(actor=desk_user, case=case, outcome=VerificationOutcome.VERIFIED, name_matches=True)
    services.item_decide(actor=desk_user, item=case.items.get(), outcome=outcome, **extra)
    services.request_submit_decisions(actor=desk_user, case=case)

    letter = services.letter_draft(actor=desk_user, case=case, kind=LetterKind.RESULT)

    assert f"回答：{words}" in letter.body
    for label in STAFF_LABELS:
        assert label not in letter.body, label
    english = services.letter_draft(actor=desk_user, case=case, kind=LetterKind.RESULT, language="en")
    assert "Resolved by self-service" not in english.body and "Answer: Comply" not in english.body


ACCOUNT = "みずほ銀行 新宿支店 普通 1234567 ジユオ（カ"


@pytest.mark.parametrize(
    ("methods", "account", "expected"),
    [
        ([PaymentMethod.BANK_TRANSFER], ACCOUNT, f"お振込先\n{ACCOUNT}"),
        # Transfer accepted, no account recorded: a blank that keeps the letter from going out.
        ([PaymentMethod.BANK_TRANSFER], "", "〔要記入：振込先口座〕"),
        # Money orders only: no account is printed even if one is recorded.
        ([PaymentMethod.POSTAL_MONEY_ORDER], ACCOUNT, None),
    ],
)
def test_a_fee_letter_says_where_to_transfer_the_fee(travel, desk_user, policies, methods, account, expected):
    """JUO: 1,000 yen per disclosure. The request for the fee carries the policy's bank account where
    bank transfer is accepted, and never asks for a transfer without saying where to."""
    travel("2026-12-28")
    policy = policies[JUO]
    policy.payment_methods, policy.bank_account = methods, account
    policy.save()
    case = register(desk_user, policy, kinds=("disclosure",), reached_on=D("2026-12-28"))

    services.request_pause(actor=desk_user, case=case, kind=PauseKind.FEE_SHORTFALL, note="手数料のお支払い")

    letter = case.letters.get(kind=LetterKind.REQUEST_MISSING)
    assert "不足額 1,000円を" in letter.body
    if expected is None:
        assert "お振込先" not in letter.body and "振込先口座" not in letter.body
    else:
        assert expected in letter.body
        assert letters.unfilled(letter) == ("要記入" in expected)


def test_the_form_sent_after_a_phone_call_says_what_to_enclose(travel, desk_user, policies):
    """SCENARIOS §4: the mother called for her 17-year-old son; the form goes with what the policy
    needs from a minor's legal representative, and where to send it back."""
    travel("2026-11-16")
    case = register(
        desk_user,
        policies[RECRUIT_CC],
        kinds=("erasure",),
        reached_on=D("2026-11-16"),
        channel="phone",
        subject={"family_name": "佐々木", "given_name": "蓮", "birth_date": D("2009-04-02")},
        agent={"agent_type": AgentType.MINOR_LEGAL_REPRESENTATIVE, "family_name": "佐々木", "given_name": "恵子"},
    )

    letter = services.letter_draft(actor=desk_user, case=case, kind=LetterKind.REQUEST_FORM)

    assert letter.title == "保有個人データの開示等の請求書のご送付について"
    assert "2026年11月16日にお電話でお申し出いただきましたご請求" in letter.body
    assert "・同封の請求書（ご記入・ご署名のうえ）" in letter.body
    assert "ご返送先" in letter.body
    travel("2026-11-20")
    services.request_record_form(actor=desk_user, case=case, received_on=D("2026-11-20"))
    with pytest.raises(services.TransitionNotAllowed):  # the form is back: nothing more to send
        services.letter_draft(actor=desk_user, case=case, kind=LetterKind.REQUEST_FORM)


LONG_TOKEN = "X" * 45 + "Y" * 45  # 90 characters, no place to break


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing (apt-get install poppler-utils)")
@pytest.mark.parametrize("where", ["address", "name", "title", "body"])
def test_a_long_unbroken_token_wraps_inside_the_a4_margins(travel, desk_user, policies, tmp_path, where):
    """Whatever a requester writes — a 90-character token in an address or a name, or staff in the
    title or body — every word of the PDF stays inside the A4 page's margins (text extracted with
    its boxes by pdftotext)."""
    travel("2026-11-20")
    subject = {"family_name": "山田", "given_name": "花子", "address": "愛知県名古屋市千種区1-2-3"}
    if where == "address":
        subject["address"] = f"愛知県名古屋市{LONG_TOKEN}"
    if where == "name":
        subject["family_name"] = LONG_TOKEN
    case = register(desk_user, policies[PLUS_UP], kinds=("correction",), reached_on=D("2026-11-20"), subject=subject)
    letter = services.letter_draft(actor=desk_user, case=case, kind=LetterKind.ACKNOWLEDGEMENT)
    if where in {"title", "body"}:
        services.letter_update(
            actor=desk_user,
            letter=letter,
            letter_date=letter.letter_date,
            addressee=letter.addressee,
            sender=letter.sender,
            title=LONG_TOKEN if where == "title" else letter.title,
            body=f"{letter.body}\nhttps://example.jp/{LONG_TOKEN}\n" if where == "body" else letter.body,
        )
        letter.refresh_from_db()
    path = tmp_path / "letter.pdf"
    path.write_bytes(letters.render_pdf(letter))
    html = tmp_path / "boxes.html"
    subprocess.run(["pdftotext", "-bbox", str(path), str(html)], check=True)  # noqa: S603, S607
    boxes = html.read_text()
    import re

    page = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', boxes)
    width = float(page.group(1))
    right_edge = width - 18 / 25.4 * 72  # the 18 mm right margin (templates/letters/print.html), in points
    words = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', boxes)
    assert words
    assert any(("X" in text or "Y" in text) for _x0, _x1, text in words)  # the token is in the PDF
    outside = [(text, float(x1)) for _x0, x1, text in words if float(x1) > right_edge + 1]
    assert outside == [], f"beyond the right margin ({right_edge:.0f}pt): {outside[:3]}"
