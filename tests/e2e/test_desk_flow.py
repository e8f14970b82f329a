"""A desk user in Chromium, in Japanese: registers an agent's request from a paper form, records
the fee, verifies, decides a partial disclosure; a manager approves it; the desk produces the letter
and sends it; the manager finds each of those changes in the audit trail filtered by the case."""

import re

import pytest
from playwright.sync_api import Page, expect

from requests_app.models import Request, Status
from requests_app.seeds import COPRO

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-for-tests-only"


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/admin/login/")
    field(page, "ユーザー名").fill(username)
    field(page, "パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_text("ようこそ")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="ログアウト").click()


def field(page: Page, label: str):
    """The form field labelled ``label`` (Django adds a ':' to labels)."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}[:：]?\s*$"))


def action(page: Page, label: str) -> None:
    page.get_by_role("link", name=label, exact=True).click()


def submit(page: Page, label: str) -> None:
    page.get_by_role("button", name=label, exact=True).click()


def test_agent_request_from_paper_to_approval(page: Page, live_server, desk_user, manager_user, policies):
    base = live_server.url
    policy = policies[COPRO]
    log_in(page, base, desk_user.username)

    # The paper form arrives: register it, top to bottom.
    page.goto(f"{base}/admin/requests_app/request/")
    page.get_by_role("link", name="請求の受付登録").click()
    field(page, "事業者・受付方針").select_option(label=f"{policy.organization.name} — {policy.name}")
    field(page, "受付方法").select_option(label="郵送")
    field(page, "姓").fill("山田")
    field(page, "名").fill("花子")
    field(page, "セイ").fill("ヤマダ")
    field(page, "メイ").fill("ハナコ")
    field(page, "郵便番号").fill("464-0001")
    field(page, "住所").fill("愛知県名古屋市千種区1-2-3")
    field(page, "請求者").select_option(label="任意代理人（委任）")
    field(page, "代理人の姓").fill("山田")
    field(page, "代理人の名").fill("一郎")
    field(page, "本人との関係").fill("長男")
    field(page, "利用目的の通知").check()
    field(page, "開示").check()
    field(page, "請求の内容").fill("応募時の面接記録一式")
    field(page, "希望する開示方法").select_option(label="書面の交付")
    rows = [
        ("power_of_attorney", "data_subject", "not_shown"),
        ("seal_registration_certificate", "data_subject", "not_shown"),
        ("drivers_license", "agent", "by_sender"),
    ]
    for index, (kind, holder, domicile) in enumerate(rows):
        page.locator(f"[name=documents-{index}-kind]").select_option(kind)
        page.locator(f"[name=documents-{index}-holder]").select_option(holder)
        page.locator(f"[name=documents-{index}-individual_number]").select_option("not_shown")
        page.locator(f"[name=documents-{index}-insurer_number]").select_option("not_shown")
        page.locator(f"[name=documents-{index}-domicile]").select_option(domicile)
    field(page, "同封の手数料（円）").fill("500")
    field(page, "支払方法").select_option(label="定額小為替")
    submit(page, "受付登録する")

    expect(page.get_by_text(re.compile(r"案件 \d{4}-\d{6} として受付登録しました。"))).to_be_visible()
    case = Request.objects.get()
    expect(page.locator(".po-facts").get_by_text("500 円").last).to_be_visible()  # shortfall shown

    # The second money order arrives.
    action(page, "手数料の入金を記録")
    field(page, "金額（円）").fill("500")
    submit(page, "手数料の入金を記録")
    expect(page.get_by_text("入金を記録しました。")).to_be_visible()

    # Verification.
    action(page, "本人確認を開始")
    submit(page, "本人確認を開始")
    action(page, "本人確認の結果を記録")
    field(page, "確認済").check()
    field(page, "書類の氏名が請求書と一致する").check()
    submit(page, "本人確認の結果を記録")
    expect(page.locator(".po-case-header").get_by_text("対応中")).to_be_visible()

    # Decisions: purpose notice complied, disclosure partial with the reason the letter will give.
    page.get_by_role("row", name=re.compile("利用目的の通知")).get_by_role("link", name="決定する").click()
    field(page, "対応する（全部）").check()
    submit(page, "決定する")
    page.get_by_role("row", name=re.compile("^開示")).get_by_role("link", name="決定する").click()
    field(page, "一部対応").check()
    field(page, "法令上の根拠").select_option("business_interference")
    reason = "面接官による社内評価メモは、開示により採用選考業務の適正な実施に著しい支障を及ぼすおそれがあるため。"
    field(page, "請求者に示す理由").fill(reason)
    field(page, "実際の開示方法").select_option(label="書面の交付")
    submit(page, "決定する")
    action(page, "決定を確定")
    submit(page, "決定を確定")
    expect(page.locator(".po-case-header").get_by_text("決裁待ち")).to_be_visible()
    expect(page.get_by_role("link", name="承認する")).to_have_count(0)  # not for desk staff
    log_out(page)

    # The manager approves (four eyes: not the person who decided).
    log_in(page, base, manager_user.username)
    page.goto(f"{base}/admin/requests_app/request/{case.pk}/change/")
    action(page, "承認する")
    field(page, "コメント").fill("一部開示で可")
    submit(page, "承認する")
    expect(page.get_by_text("承認しました。回答を準備できます。")).to_be_visible()
    expect(page.locator(".po-case-header").get_by_text("回答準備中")).to_be_visible()
    assert Request.objects.get(pk=case.pk).status == Status.RESPONDING

    # Every step is in the case history with who did it.
    page.get_by_role("link", name="履歴").click()
    timeline = page.locator(".po-timeline")
    for step in ("受付登録", "手数料を受領", "本人確認を開始", "決定を回付", "一部開示で可"):
        expect(timeline.get_by_text(step).first).to_be_visible()
    expect(timeline.get_by_text(manager_user.get_full_name()).first).to_be_visible()
    log_out(page)

    # The desk produces the letter, reads it as it will print, and sends it by registered mail.
    log_in(page, base, desk_user.username)
    page.goto(f"{base}/admin/requests_app/request/{case.pk}/change/")
    action(page, "書面を作成")
    field(page, "書面").select_option(label="回答書")
    submit(page, "書面を作成")
    expect(page.get_by_text("書面を作成しました。内容を確認して送付してください。")).to_be_visible()
    with page.expect_popup() as popup:
        page.locator(".po-letters").get_by_role("link", name="印刷").click()
    letter_page = popup.value
    expect(letter_page.get_by_role("heading", name="保有個人データの開示等の請求に対する回答")).to_be_visible()
    expect(letter_page.get_by_text(reason)).to_be_visible()
    expect(letter_page.get_by_text("山田 一郎 様")).to_be_visible()
    letter_page.close()
    # COPRO's answer includes the purposes of use: the draft marks where to write them, and it
    # cannot be sent until they are written in.
    expect(page.locator(".po-letters").get_by_text("送付前に〔要記入…〕の箇所を記入してください。")).to_be_visible()
    page.locator(".po-letters").get_by_role("link", name="編集").click()
    body = field(page, "本文")
    body.fill(body.input_value().replace("〔要記入：利用目的を記載してください〕", "・人材派遣・紹介業務のため"))
    submit(page, "書面の編集")
    expect(page.get_by_text("書面を保存しました。")).to_be_visible()
    page.locator(".po-letters").get_by_role("link", name="送付").click()
    field(page, "送付方法").select_option(label="書留郵便")
    field(page, "お問い合わせ番号（追跡番号）").fill("1234-5678-9012")
    submit(page, "書面の送付")
    expect(page.get_by_text("書面を送付済みとして記録しました。")).to_be_visible()
    expect(page.locator(".po-case-header").get_by_text("回答済")).to_be_visible()
    expect(page.locator(".po-responses").get_by_text("1234-5678-9012")).to_be_visible()
    log_out(page)

    # The manager finds each of those changes in the audit trail, filtered by the case.
    log_in(page, base, manager_user.username)
    page.get_by_role("link", name="監査証跡").click()
    field(page, "受付番号").fill(case.reference)
    page.get_by_role("button", name="絞り込む").click()
    trail = page.locator("#audit-trail")
    for step in (
        "受付登録",
        "手数料を受領",
        "本人確認を開始",
        "本人確認",
        "決定",
        "決定を回付",
        "承認",
        "一部開示で可",
        "書面を作成",
        "書面を送付",
    ):
        expect(trail.get_by_text(step).first).to_be_visible()
    expect(trail.get_by_text("閲覧").first).to_be_visible()  # the views of the case are there too
    expect(trail.get_by_text(desk_user.get_full_name()).first).to_be_visible()
    expect(trail.locator("td", has_text=case.reference).first).to_be_visible()
    assert page.locator("#audit-trail tbody tr").count() >= 15
