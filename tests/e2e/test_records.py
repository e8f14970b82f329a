"""Records for a PrivacyMark audit (issue 15) in Chromium, in Japanese: a complaint by phone is
registered, its reply drafted by the desk, approved by a manager (the drafter is not offered the
approval), recorded as sent and closed with cause and measure; the manager then opens the request
ledger and the statistics, which count the complaint, and downloads the ledger's CSV."""

import datetime as dt
import re
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from playwright.sync_api import Page, expect

from privacyops.celery import app as celery_app
from requests_app.models import Complaint, ComplaintStatus
from requests_app.seeds import JUO
from tests.e2e.test_desk_flow import field, log_in, log_out, message, submit
from tests.factories import register

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def labelled(scope, label: str):
    """The field labelled ``label`` inside ``scope`` (Django adds a ':' to labels)."""
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}[:：]?\s*$"))


def test_a_complaint_road_then_the_ledger_and_the_statistics(
    page: Page, live_server, travel, desk_user, manager_user, policies
):
    travel("2026-11-24")
    base = live_server.url
    case = register(desk_user, policies[JUO], reached_on=dt.date(2026, 11, 24))
    juo = policies[JUO].organization

    # The desk registers a complaint by phone about that request, by its last digits.
    log_in(page, base, desk_user.username)
    page.goto(f"{base}/admin/requests_app/complaint/add/")
    field(page, "事業者").select_option(label=juo.name)
    page.get_by_label("苦情", exact=True).check()
    field(page, "受付方法").select_option(label="電話")
    field(page, "申出者").select_option(label="本人")
    field(page, "申出者の氏名").fill("山田 花子")
    field(page, "内容の区分").select_option(label="開示等の請求への対応")
    field(page, "申出の内容").fill("開示の回答がまだ届かないとのお申出。")
    field(page, "関連する請求（受付番号）").fill(case.reference.split("-")[1].lstrip("0"))
    submit(page, "受付登録する")
    message(page, "登録しました。回答期限は")
    complaint = Complaint.objects.get()
    assert complaint.request_id == case.pk and complaint.created_by == desk_user

    # The desk drafts the reply; the approval is not hers to give.
    labelled(page.locator("#op-draft"), "回答").fill("ご不便をおかけしました。\n本日、回答書を発送いたしました。")
    submit(page, "回答案を作成（承認へ）")
    message(page, "責任者の承認を待っています")
    expect(page.locator("#op-approve")).to_have_count(0)
    log_out(page)

    # A manager approves it.
    log_in(page, base, manager_user.username)
    page.goto(f"{base}/admin/requests_app/complaint/{complaint.pk}/change/")
    expect(page.locator(".po-notice .po-pre")).to_contain_text("本日、回答書を発送いたしました。")
    submit(page, "回答を承認")
    message(page, "回答を承認しました。")
    log_out(page)

    # The desk records the reply as sent and closes with cause and measure.
    log_in(page, base, desk_user.username)
    page.goto(f"{base}/admin/requests_app/complaint/{complaint.pk}/change/")
    labelled(page.locator("#op-reply"), "回答方法").select_option(label="電話")
    submit(page, "回答の送付を記録")
    message(page, "回答を送付済みとして記録しました。")
    close = page.locator("#op-close")
    labelled(close, "結果").select_option(label="解決")
    submit(page, "結果を記録して完了")
    expect(page.locator(".errorlist").first).to_be_visible()  # a complaint needs its cause and measure
    close = page.locator("#op-close")
    labelled(close, "原因").fill("回答書の発送予定をお伝えしていなかった")
    labelled(close, "是正・再発防止策").fill("受付時に回答予定日を必ず伝える")
    submit(page, "結果を記録して完了")
    message(page, "完了しました。")
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.CLOSED
    assert (complaint.drafted_by, complaint.approved_by) == (desk_user, manager_user)
    log_out(page)

    # The manager reads the ledger and the statistics, and takes the ledger as CSV.
    log_in(page, base, manager_user.username)
    page.goto(f"{base}/admin/requests_app/request/")
    page.get_by_role("link", name="受付台帳").click()
    field(page, "事業者").select_option(label=juo.name)
    field(page, "開始日").fill("2026-11-01")
    field(page, "終了日").fill("2026-11-30")
    submit(page, "表示")
    expect(page.locator("#ledger").get_by_role("link", name=case.reference)).to_be_visible()
    # The file is made by a worker (an export job, issue 16); the exports page follows it.
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        page.get_by_role("button", name="CSV").click()
        expect(page).to_have_url(re.compile(r"/admin/exports/\?started=\d+$"))
        expect(page.locator("#exports")).to_contain_text("受付台帳")
        download_link = page.get_by_role("link", name="ダウンロード")
        expect(download_link).to_be_visible(timeout=30_000)  # the page reloads itself until the file is ready
    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename == "ledger-juo-20261101-20261130.csv"
    assert case.reference in Path(download.value.path()).read_text(encoding="utf-8-sig")

    page.goto(f"{base}/admin/requests_app/request/")
    page.get_by_role("link", name="統計").click()
    submit(page, "表示")
    complaints = page.locator("#complaints")
    expect(complaints).to_contain_text("苦情")
    expect(page.locator("#summary")).to_contain_text("受付件数")
    expect(page.locator("svg.po-bars").first).to_be_visible()
