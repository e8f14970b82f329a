"""Scenario 2 (Leverages) in Chromium, in Japanese: the desk holds 佐藤健's consent and records (one
entered by hand, the others imported from a CSV file of another system); his e-mailed request for
the records and for suspension of provision to the agency is registered, verified, the ID copy
shredded the same day, decided and answered from the records; the consent is withdrawn through
the case, and a new provision to the agency is refused on the desk's own page."""

import re

import pytest
from playwright.sync_api import Page, expect

from consents.models import Consent, ProvisionRecord
from requests_app.models import Request, Status
from requests_app.seeds import LEVERAGES
from tests.e2e.test_desk_flow import confirm, field, fold, in_fold, log_in, message, submit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
AGENCY = "株式会社みらい人材エージェント"
RECORDS_CSV = (
    "direction,family_name,given_name,email,counterparty,items,provided_on,basis,recorded_how\n"
    f"提供,佐藤,健,ken.sato@example.jp,{AGENCY},氏名、職務経歴,2026-05-20,同意,都度\n"
    "提供,佐藤,健,ken.sato@example.jp,株式会社ネクストキャリア,氏名,2026-06-01,その他,都度\n"
)


def test_scenario_2_records_disclosed_and_provision_stopped(
    page: Page, live_server, desk_user, policies, tmp_path, page_loads
):
    base = live_server.url
    organization = policies[LEVERAGES].organization
    log_in(page, base, desk_user.username)

    # What the desk holds before the request: the consent, entered by hand ...
    page.goto(f"{base}/admin/consents/consent/")
    page.get_by_role("link", name="同意 を追加").click()
    expect(page.get_by_role("heading", name="同意を記録する")).to_be_visible()
    page.locator("[name=organization]").select_option(str(organization.pk))
    page.locator("[name=family_name]").fill("佐藤")
    page.locator("[name=given_name]").fill("健")
    page.locator("[name=email]").fill("ken.sato@example.jp")
    page.locator("[name=scope]").select_option("third_party")
    page.locator("[name=recipient]").fill(AGENCY)
    page.locator("[name=items]").fill("氏名、職務経歴")
    page.locator("[name=given_on]").fill("2026-04-10")
    page.locator("[name=method]").fill("面談希望の申込画面での同意")
    submit(page, "記録")
    expect(page.get_by_text("同意を記録しました。")).to_be_visible()

    # ... and the records, imported: first with a bad row (nothing imported, the row named) ...
    bad = tmp_path / "records-bad.csv"
    bad.write_text(RECORDS_CSV + "提供,佐藤,健,ken.sato@example.jp,株式会社A,氏名,2026-13-01,その他,都度\n")
    page.goto(f"{base}/admin/consents/provisionrecord/")
    page.get_by_role("link", name="CSV取込み").click()
    page.locator("[name=organization]").select_option(str(organization.pk))
    page.locator("[name=file]").set_input_files(str(bad))
    submit(page, "取り込む")
    errors = page.locator(".po-import-errors")
    expect(errors.get_by_role("row", name=re.compile(r"^4\s+provided_on"))).to_be_visible()
    assert ProvisionRecord.objects.count() == 0
    # ... then the corrected file.
    good = tmp_path / "records.csv"
    good.write_text(RECORDS_CSV, encoding="cp932")
    page.locator("[name=organization]").select_option(str(organization.pk))
    page.locator("[name=file]").set_input_files(str(good))
    submit(page, "取り込む")
    expect(page.get_by_text("2件の記録を取り込みました。")).to_be_visible()

    # The e-mail arrives: a form and a copy of his My Number card (front only).
    page.goto(f"{base}/admin/requests_app/request/")
    page.get_by_role("link", name="請求の受付登録").click()
    field(page, "事業者・受付方針").select_option(label=f"{organization.name} — {policies[LEVERAGES].name}")
    field(page, "受付方法").select_option(label="電子メール")
    field(page, "姓").fill("佐藤")
    field(page, "名").fill("健")
    field(page, "セイ").fill("サトウ")
    field(page, "メイ").fill("ケン")
    field(page, "郵便番号").fill("150-0002")
    field(page, "住所").fill("東京都渋谷区渋谷1-1-1")
    page.locator("[name=email]").first.fill("ken.sato@example.jp")
    field(page, "第三者提供記録の開示").check()
    field(page, "第三者提供の停止").check()
    field(page, "希望する開示方法").select_option(label="電磁的記録の提供")
    field(page, "対象の第三者（提供先）").fill(AGENCY)
    page.locator("[name=documents-0-kind]").select_option("my_number_card_front")
    page.locator("[name=documents-0-holder]").select_option("data_subject")
    page.locator("[name=documents-0-individual_number]").select_option("not_shown")
    page.locator("[name=documents-0-insurer_number]").select_option("not_shown")
    page.locator("[name=documents-0-domicile]").select_option("not_shown")
    submit(page, "受付登録する")
    expect(page.get_by_text(re.compile(r"案件 \d{4}-\d{6} として受付登録しました。"))).to_be_visible()
    case = Request.objects.get()
    page_loads.start()

    # The case page shows what we hold about him, found by e-mail and family name.
    holdings = page.locator("#holdings")
    expect(holdings.get_by_text("メールアドレスと氏名が一致")).to_be_visible()
    expect(holdings.get_by_text("株式会社ネクストキャリア")).to_be_visible()

    # Verification on the one form; the page says the ID copy is due for disposal today: shredded.
    verify = page.locator("#verify")
    verify.locator("[name=outcome][value=verified]").check()
    verify.locator("[name=name_matches]").check()
    verify.get_by_role("button", name="本人確認の結果を記録").click()
    message(page, "本日廃棄すべき写しが 1 件あります")
    expect(page.locator("#disposal-due")).to_be_visible()
    opened = fold(page, "写しの廃棄を記録")
    opened.locator("[name=method]").select_option("shredded")
    confirm(opened, "写しの廃棄を記録")
    expect(page.locator("#disposal-due")).to_have_count(0)
    expect(page.locator(".po-case-header").get_by_text("対応中")).to_be_visible()

    # Decisions: records disclosed, suspension granted.
    opened = fold(page, "決定する：第三者提供記録の開示")
    opened.locator("[name=outcome][value=comply]").check()
    opened.locator("[name=method_used]").select_option("electronic")
    confirm(opened, "決定する")
    opened = fold(page, "決定する：第三者提供の停止")
    opened.locator("[name=outcome][value=comply]").check()
    opened.locator("[name=ground]").select_option("harm_to_rights")
    confirm(opened, "決定する")
    confirm(fold(page, "決定を確定"), "決定を確定")
    expect(page.locator(".po-case-header").get_by_text("回答準備中")).to_be_visible()
    # The consent is withdrawn through the case; the stop is shown with it.
    expect(holdings.get_by_text(case.reference).first).to_be_visible()
    consent = Consent.objects.get()
    assert consent.withdrawn_by_case_id == case.pk

    # The answer lists the records; it opens as drafted and is sent by e-mail from there.
    opened = fold(page, "書面を作成")
    in_fold(opened, "書面").select_option(label="回答書")
    confirm(opened, "書面を作成")
    letter = case.letters.get(kind="result")
    assert f"提供：{AGENCY}（氏名、職務経歴）" in letter.body and "ネクストキャリア" in letter.body
    assert f"{AGENCY}への第三者提供を停止いたしました" in letter.body
    opened = fold(page, "書面の送付")
    opened.locator("[name=method]").select_option("email")
    confirm(opened, "書面の送付")
    message(page, "書面を送付済みとして記録しました。")
    expect(page.locator(".po-case-header").get_by_text("回答済")).to_be_visible()
    # Provision is stopped in the systems that hold his data too (the fulfilment tasks).
    for _task in range(case.tasks.count()):
        opened = fold(page, "完了にする")
        opened.locator("[name=note]").fill("提供先リストから除外")
        confirm(opened, "完了にする")
        message(page, "タスクを完了しました")
    confirm(fold(page, "案件を完了にする"), "案件を完了にする")
    expect(page.locator(".po-case-header").get_by_text("完了")).to_be_visible()
    assert Request.objects.get(pk=case.pk).status == Status.CLOSED
    page_loads.report("Scenario 2 (Leverages)")

    # Later, someone tries to record a new provision to the agency: refused, with the case named.
    page.goto(f"{base}/admin/consents/provisionrecord/add/")
    page.locator("[name=organization]").select_option(str(organization.pk))
    page.locator("[name=family_name]").fill("佐藤")
    page.locator("[name=given_name]").fill("健")
    page.locator("[name=email]").fill("ken.sato@example.jp")
    page.locator("[name=direction]").select_option("provided")
    page.locator("[name=counterparty]").fill(AGENCY)
    page.locator("[name=items]").fill("氏名")
    page.locator("[name=provided_on]").fill(str(case.reached_on))
    page.locator("[name=basis]").select_option("other")
    page.locator("[name=recorded_how]").select_option("each_time")
    submit(page, "記録")
    expect(page.locator(".field-counterparty .errorlist")).to_contain_text(case.reference)
    expect(page.locator("[name=counterparty]")).to_have_value(AGENCY)  # what was typed is kept
    assert ProvisionRecord.objects.count() == 2
