"""Scenarios 3, 4 and 5 in Chromium, in Japanese, on the case page's folded forms (issue 13), each
from intake to closed, with the page loads after intake counted and printed (SCENARIOS.md).

3. JUO: an e-mailed disclosure request, the fee by bank transfer (the clock starts), verified from
   the registered address, disclosed by e-mail; then the same member's correction, found at intake
   as the same person's other case, done in the member database (a fulfilment task).
4. Recruit Career Consulting: a mother calls for her 17-year-old son's erasure; the desk sends the
   form, records it back with her documents in one step, verifies, grants the erasure; the case
   closes once the tasks in both systems are done.
5. PLUS UP: a correction answered "do it yourself on My Page" — no fee, no identity documents.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from requests_app.models import Request, Status, TaskStatus
from requests_app.seeds import JUO, PLUS_UP, RECRUIT_CC
from tests.e2e.test_desk_flow import confirm, field, fold, in_fold, log_in, message, submit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def intake(page: Page, base: str, policy, **fields) -> None:
    """Open the intake page and key in ``fields`` (form field names); kinds ticked by value."""
    page.goto(f"{base}/admin/requests_app/request/add/")
    page.locator("[name=policy]").select_option(str(policy.pk))
    for name, value in fields.items():
        if name == "kinds":
            for kind in value:
                page.locator(f"[name=kinds][value={kind}]").check()
        elif page.locator(f"select[name={name}]").count():
            page.locator(f"select[name={name}]").select_option(value)
        else:
            page.locator(f"[name={name}]").fill(value)


def register(page: Page) -> Request:
    submit(page, "受付登録する")
    expect(page.get_by_text(re.compile(r"案件 \d{4}-\d{6} として受付登録しました。"))).to_be_visible()
    return Request.objects.order_by("-pk").first()


def status_is(page: Page, label: str) -> None:
    expect(page.locator(".po-case-header").get_by_text(label, exact=True)).to_be_visible()


def verify_on_the_page(page: Page, *, name_matches: bool = False, note: str = "") -> None:
    verify = page.locator("#verify")
    verify.locator("[name=outcome][value=verified]").check()
    if name_matches:
        verify.locator("[name=name_matches]").check()
    if note:
        verify.locator("[name=note]").fill(note)
    verify.get_by_role("button", name="本人確認の結果を記録").click()
    status_is(page, "対応中")


def decide(page: Page, kind_label: str, outcome: str, **fields) -> None:
    opened = fold(page, f"決定する：{kind_label}")
    opened.locator(f"[name=outcome][value={outcome}]").check()
    for name, value in fields.items():
        opened.locator(f"[name={name}]").select_option(value)
    confirm(opened, "決定する")


def answer_and_send(page: Page, method: str) -> None:
    """Draft the result notice (it opens), send it from its page, and see the case answered."""
    opened = fold(page, "書面を作成")
    in_fold(opened, "書面").select_option(label="回答書")
    confirm(opened, "書面を作成")
    message(page, "書面（回答書）を作成しました。")
    opened = fold(page, "書面の送付")
    opened.locator("[name=method]").select_option(method)
    confirm(opened, "書面の送付")
    message(page, "書面を送付済みとして記録しました。")
    status_is(page, "回答済")


def close(page: Page) -> None:
    confirm(fold(page, "案件を完了にする"), "案件を完了にする")
    status_is(page, "完了")


def test_scenario_3_juo_fee_by_bank_transfer_then_a_correction(
    page: Page, live_server, desk_user, policies, page_loads
):
    base, policy = live_server.url, policies[JUO]
    with page_loads.handover():
        log_in(page, base, desk_user.username)
    intake(
        page, base, policy, channel="email", family_name="鈴木", given_name="美咲", email="misaki@example.jp",
        member_id="CM-20415", kinds=["disclosure"], requested_method="electronic", preferred_response_method="email",
    )  # fmt: skip
    disclosure = register(page)
    page_loads.start()
    assert Request.objects.get(pk=disclosure.pk).complete_on is None  # the fee is still to come

    opened = fold(page, "手数料の入金を記録")
    opened.locator("[name=amount]").fill("1000")
    opened.locator("[name=method]").select_option("bank_transfer")
    confirm(opened, "手数料の入金を記録")
    message(page, "請求がそろいました。期限の計算を開始しました。")
    expect(page.locator(".po-facts").get_by_text("1,000円").first).to_be_visible()  # thousands separator

    verify_on_the_page(page, note="登録メールアドレスからの請求")
    decide(page, "開示", "comply", method_used="electronic")
    confirm(fold(page, "決定を確定"), "決定を確定")
    status_is(page, "回答準備中")
    answer_and_send(page, "email")
    close(page)

    # The same member writes again, to correct her phone number: intake finds her disclosure.
    intake(
        page, base, policy, channel="email", family_name="鈴木", given_name="美咲", email="misaki@example.jp",
        kinds=["correction"], correction_detail="電話番号 090-1111-2222 → 090-3333-4444",
    )  # fmt: skip
    page.locator("[name=email]").press("Tab")  # the lookup runs when a field is left
    related = page.locator("#po-related")
    expect(related.get_by_text("同じ本人の他の案件")).to_be_visible()
    expect(related.get_by_role("link", name=disclosure.reference)).to_be_visible()
    correction = register(page)
    expect(page.locator(".po-related").get_by_role("link", name=disclosure.reference)).to_be_visible()
    verify_on_the_page(page, note="登録メールアドレスからの請求")
    decide(page, "訂正", "comply")
    confirm(fold(page, "決定を確定"), "決定を確定")
    opened = fold(page, "完了にする")  # the member database, as a fulfilment task
    confirm(opened, "完了にする")
    message(page, "タスクを完了しました")
    answer_and_send(page, "email")
    close(page)
    assert Request.objects.get(pk=correction.pk).tasks.get().status == TaskStatus.DONE
    page_loads.report("Scenario 3 (JUO, two cases)")


def test_scenario_4_recruit_phone_first_minors_legal_representative(
    page: Page, live_server, desk_user, policies, page_loads
):
    base, policy = live_server.url, policies[RECRUIT_CC]
    with page_loads.handover():
        log_in(page, base, desk_user.username)
    intake(
        page, base, policy, channel="phone", family_name="佐々木", given_name="蓮", birth_date="2009-04-02",
        agent_type="minor_legal_rep", agent_family_name="佐々木", agent_given_name="恵子", agent_relationship="母",
        agent_phone="090-1234-5678", kinds=["erasure"], details="応募データの消去",
        notes="あんしんダイヤルで受電。請求書を郵送。",
    )  # fmt: skip
    case = register(page)
    page_loads.start()

    # The desk sends the form (what to enclose is in it), from the letter's own page.
    opened = fold(page, "書面を作成")
    in_fold(opened, "書面").select_option(label="請求書の送付（電話での申出後）")
    confirm(opened, "書面を作成")
    expect(field(page, "本文")).to_have_value(re.compile("同封の請求書"))
    opened = fold(page, "書面の送付")
    opened.locator("[name=method]").select_option("post")
    confirm(opened, "書面の送付")

    # The form comes back with her family register extract and eligibility certificate.
    page.get_by_role("link", name="返送された請求書を記録").click()
    rows = [("family_register_extract", "not_shown"), ("eligibility_certificate", "by_desk")]
    for index, (kind, insurer_number) in enumerate(rows):
        page.locator(f"[name=documents-{index}-kind]").select_option(kind)
        page.locator(f"[name=documents-{index}-holder]").select_option("agent")
        page.locator(f"[name=documents-{index}-individual_number]").select_option("not_shown")
        page.locator(f"[name=documents-{index}-insurer_number]").select_option(insurer_number)
        page.locator(f"[name=documents-{index}-domicile]").select_option("not_shown")
    submit(page, "返送された請求書を記録")
    message(page, "請求書の受領を、同封の書類とともに記録しました。")
    assert Request.objects.get(pk=case.pk).complete_on is not None

    verify_on_the_page(page, name_matches=True)
    decide(page, "消去", "comply", ground="no_longer_needed")
    confirm(fold(page, "決定を確定"), "決定を確定")
    status_is(page, "回答準備中")
    for _system in range(2):  # the applicant database and the CRM
        confirm(fold(page, "完了にする"), "完了にする")
        message(page, "タスクを完了しました")
    answer_and_send(page, "post")
    close(page)
    assert Request.objects.get(pk=case.pk).status == Status.CLOSED
    page_loads.report("Scenario 4 (Recruit CC)")


def test_scenario_5_plus_up_self_service(page: Page, live_server, desk_user, policies, page_loads):
    base, policy = live_server.url, policies[PLUS_UP]
    with page_loads.handover():
        log_in(page, base, desk_user.username)
    intake(
        page, base, policy, channel="email", family_name="高橋", given_name="大輔", email="daisuke@example.jp",
        kinds=["correction"], correction_detail="職務経歴（2019年〜2022年の在籍企業名）",
    )  # fmt: skip
    case = register(page)
    page_loads.start()

    decide(page, "訂正", "self_service")  # no identity documents needed for this outcome
    confirm(fold(page, "決定を確定"), "決定を確定")
    status_is(page, "回答準備中")
    answer_and_send(page, "email")
    close(page)
    letter = Request.objects.get(pk=case.pk).letters.get()
    assert "会員ページからご自身でお手続きいただけます" in letter.body
    page_loads.report("Scenario 5 (PLUS UP)")
