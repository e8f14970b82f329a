"""Records a PrivacyMark audit asks for (JIS Q 15001 A.3.4.4, issue 15): the request ledger
(受付台帳) and the statistics for the management review, on a data set counted by hand."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from privacyops.audit.models import AccessKind, AccessLog
from privacyops.exports.models import Export
from requests_app import reports, services
from requests_app.models import AgentType, Channel, Outcome, Request, Status, VerificationOutcome
from requests_app.seeds import COPRO, JUO
from tests.exports import content, made
from tests.factories import DeskPolicyFactory, offered_method, register

D = dt.date.fromisoformat
LEDGER = "/admin/requests_app/request/ledger/"
STATISTICS = "/admin/requests_app/request/statistics/"
COLUMN = {key: index for index, (key, _label) in enumerate(reports.LEDGER_COLUMNS)}


def _answer(case, actor, outcome=Outcome.NO_DATA):
    for item in case.items.all():
        services.item_decide(actor=actor, item=item, outcome=outcome)
    services.request_submit_decisions(actor=actor, case=case)
    letter = services.letter_draft(actor=actor, case=case, kind="result")
    services.response_send(actor=actor, letter=letter, method=offered_method(case))


@pytest.fixture
def november(travel, desk_user, policies, other_org_user):
    """JUO's November 2026, counted by hand (holidays: 11-03 Culture Day, 11-23 Labour Thanksgiving):

    - A: correction, reached and verified Mon 11-02, answered Tue 11-10 — 5 business days
      (11-04, 05, 06, 09, 10), on time, before its Art. 39 date (11-17);
    - B: correction, reached and verified 11-02, answered Tue 12-01 — 19 business days, late,
      after its Art. 39 date 11-17;
    - C: disclosure + purpose notice, reached 11-05, withdrawn;
    - D: disclosure, reached 11-20, rejected;
    - E: disclosure by post (outside the policy) from an entrusted agent, reached 11-25,
      unanswered (its Art. 39 date 12-10 is past on 12-15);
    and outside the count: JUO's 10-31 request, COPRO's 11-10 one (another organization) and a
    request of an organization the desk does not serve.
    """
    juo = policies[JUO]
    travel("2026-10-31")
    before = register(desk_user, juo, kinds=("correction",), reached_on=D("2026-10-31"))
    travel("2026-11-02")
    a = register(desk_user, juo, kinds=("correction",), reached_on=D("2026-11-02"))
    b = register(desk_user, juo, kinds=("correction",), reached_on=D("2026-11-02"))
    for case in (a, b):
        services.request_start_verification(actor=desk_user, case=case)
        services.request_verify(actor=desk_user, case=case, outcome=VerificationOutcome.VERIFIED, name_matches=True)
    travel("2026-11-05")
    c = register(desk_user, juo, kinds=("disclosure", "purpose_notice"), reached_on=D("2026-11-05"))
    services.request_withdraw(actor=desk_user, case=c, reason="取下げの連絡")
    travel("2026-11-10")
    _answer(a, desk_user)
    copro = register(desk_user, policies[COPRO], kinds=("disclosure",), reached_on=D("2026-11-10"))
    travel("2026-11-20")
    d = register(desk_user, juo, kinds=("disclosure",), reached_on=D("2026-11-20"))
    services.request_reject(actor=desk_user, case=d, reason="当社の取扱範囲外")
    travel("2026-11-25")
    e = register(
        desk_user,
        juo,
        kinds=("disclosure",),
        reached_on=D("2026-11-25"),
        channel=Channel.POST,
        channel_override_reason="郵送で届いたため",
        agent={"agent_type": AgentType.ENTRUSTED, "family_name": "代理", "given_name": "太郎"},
    )
    travel("2026-12-01")
    _answer(b, desk_user)
    stranger = DeskPolicyFactory(organization=other_org_user.organizations.get())
    register(other_org_user, stranger, kinds=("disclosure",), reached_on=D("2026-11-12"))
    travel("2026-12-15")
    return {"A": a, "B": b, "C": c, "D": d, "E": e, "before": before, "copro": copro, "juo": juo.organization}


def test_the_statistics_equal_the_hand_counted_figures(november, desk_user):
    """Counts by status, channel, requester, kind and outcome; on time; business days to answer
    (median and 90th percentile, nearest rank); past the Art. 39 date (Art. 39-1)."""
    stats = reports.statistics(
        actor=desk_user, first=D("2026-11-01"), last=D("2026-11-30"), organization=november["juo"]
    )

    assert stats.total == 5
    assert stats.by_status == {Status.RESPONDED: 2, Status.WITHDRAWN: 1, Status.REJECTED: 1, Status.RECEIVED: 1}
    assert stats.by_channel == {Channel.POST: 1, Channel.EMAIL: 4}
    assert stats.by_requester == {reports.SELF: 4, AgentType.ENTRUSTED: 1}
    assert stats.items_by_kind == {"purpose_notice": 1, "disclosure": 3, "correction": 2}
    assert stats.items_by_outcome == {
        ("purpose_notice", ""): 1,
        ("disclosure", ""): 3,
        ("correction", Outcome.NO_DATA): 2,
    }
    assert (stats.answered, stats.answered_on_time, stats.on_time_rate) == (2, 1, 50.0)
    assert stats.days_to_answer == {5: 1, 19: 1}
    assert (stats.median_days, stats.p90_days) == (5, 19)
    assert stats.past_art39 == 2  # B answered after 11-17; E unanswered past 12-10
    assert [(o.code, n) for o, n in stats.organizations] == [(JUO, 5)]


def test_every_organization_and_only_the_users(november, desk_user, other_org_user):
    stats = reports.statistics(actor=desk_user, first=D("2026-11-01"), last=D("2026-11-30"))
    counts = {o.code: n for o, n in stats.organizations}

    assert stats.total == 6 and counts[JUO] == 5 and counts[COPRO] == 1
    assert reports.statistics(actor=other_org_user, first=D("2026-11-01"), last=D("2026-11-30")).total == 1
    # A stranger naming an organization he does not serve sees nothing of it.
    assert (
        reports.statistics(
            actor=other_org_user, first=D("2026-11-01"), last=D("2026-11-30"), organization=november["juo"]
        ).total
        == 0
    )


@pytest.mark.parametrize(
    "counts,median,p90",
    [({}, None, None), ({3: 1}, 3, 3), ({1: 1, 2: 1, 3: 1, 4: 1}, 2, 4), ({0: 9, 30: 1}, 0, 0), ({0: 8, 30: 2}, 0, 30)],
)
def test_percentiles_are_nearest_rank(counts, median, p90):
    assert reports.percentile(counts, 0.5) == median
    assert reports.percentile(counts, 0.9) == p90


def test_the_ledger_rows_are_the_cases_of_the_period(november, desk_user):
    """One row per request that reached the organization in the period, withdrawn and rejected
    ones included, oldest first; nothing of another organization or another period."""
    cases = reports.ledger_cases(
        actor=desk_user, organization=november["juo"], first=D("2026-11-01"), last=D("2026-11-30")
    )
    rows = list(reports.ledger_rows(cases))

    assert [row["reference"] for row in rows] == [november[k].reference for k in "ABCDE"]
    a, b, c, d, e = rows
    assert (a["answered_on"], a["due_on"] >= a["answered_on"], a["met"]) == (D("2026-11-10"), True, "はい")
    assert (b["answered_on"], b["met"], b["art39_on"]) == (D("2026-12-01"), "いいえ", D("2026-11-17"))
    assert b["decisions"] == "訂正: 該当なし（保有なし）"
    assert (b["verification"], b["verified_on"]) == ("確認済", D("2026-11-02"))
    assert (c["status"], c["ended_on"], c["kinds"]) == ("取下げ", D("2026-11-05"), "開示、利用目的の通知")
    assert c["decisions"] == "開示: 決定なし（終了）\n利用目的の通知: 決定なし（終了）"
    assert a["assignee"] == "田中 美咲" and a["requester"] == "本人"
    assert (d["status"], d["ended_on"]) == ("不受理", D("2026-11-20"))
    assert (e["requester"], e["channel"], e["answered_on"], e["met"]) == ("任意代理人（委任）", "郵送", None, "")
    assert a["response_methods"] == "電子メール"


def test_the_ledger_page_csv_workbook_and_pdf(client, november, auditor_user):
    """An auditor opens the ledger and downloads it: the same rows in each file, the CSV with a
    BOM, every export and the page in the access log."""
    client.force_login(auditor_user)
    query = f"?organization={november['juo'].pk}&first=2026-11-01&last=2026-11-30"
    references = [november[k].reference for k in "ABCDE"]

    page = client.get(LEDGER + query)
    assert page.status_code == 200
    assert [row["reference"] for row in page.context["rows"]] == references

    started = client.post(LEDGER + query, {"format": "csv"})
    assert started.status_code == 302 and started["Location"].startswith(reverse("admin:exports"))
    assert not AccessLog.objects.filter(kind=AccessKind.LEDGER_EXPORT).exists()  # no file yet
    response = made(client)
    text = content(response).decode("utf-8")
    assert text.startswith("\ufeff受付番号")
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert [line[0] for line in lines[1:]] == references
    assert 'filename="ledger-juo-20261101-20261130.csv"' in response["Content-Disposition"]

    client.post(LEDGER + query, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(content(made(client)))).worksheets[0]
    # Readable as opened: widths set, the decisions wrap, a filter button on every header.
    assert sheet.auto_filter.ref == f"A1:T{len(references) + 1}"
    assert sheet.column_dimensions["M"].width == 48 and sheet.cell(row=2, column=13).alignment.wrap_text
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "受付番号"
    assert [row[0] for row in values[1:]] == references
    assert values[1][COLUMN["reached_on"]] == dt.datetime(2026, 11, 2)  # a date cell, not text

    client.post(LEDGER + query, {"format": "pdf"})
    assert content(made(client)).startswith(b"%PDF")

    logged = list(AccessLog.objects.filter(user=auditor_user).values_list("kind", flat=True))
    assert logged.count(AccessKind.LEDGER) == 1 and logged.count(AccessKind.LEDGER_EXPORT) == 3


def test_the_ledger_files_never_carry_a_formula(client, travel, desk_user, policies, manager_user):
    """A value typed by the desk that a spreadsheet would run (=, +, -, @, full-width ＝) stays text:
    neutralised in the CSV, stored as a text cell in the workbook."""
    from django.contrib.auth import get_user_model

    travel("2026-11-02")
    case = register(desk_user, policies[JUO], kinds=("correction",), reached_on=D("2026-11-02"))
    services.request_start_verification(actor=desk_user, case=case)
    services.request_verify(actor=desk_user, case=case, outcome=VerificationOutcome.VERIFIED, name_matches=True)
    get_user_model().objects.filter(pk=manager_user.pk).update(last_name="=HYPERLINK(1)", first_name="")
    services.item_decide(
        actor=desk_user,
        item=case.items.get(),
        outcome=Outcome.REFUSE,
        ground="not_inaccurate",
        reason_text="記録は正確です。",
    )
    services.request_submit_decisions(actor=desk_user, case=case)
    manager_user.refresh_from_db()
    services.decision_approve(actor=manager_user, case=case, comment="承認")
    client.force_login(desk_user)
    query = f"?organization={case.organization_id}&first=2026-11-01&last=2026-11-30"

    client.post(LEDGER + query, {"format": "csv"})
    text = content(made(client)).decode()
    assert "'=HYPERLINK(1)" not in text and "=HYPERLINK" in text  # inside the approval cell, after its label
    row = next(csv.reader(io.StringIO(text.lstrip("\ufeff").splitlines()[1])))
    approval = row[COLUMN["approval"]]
    assert approval.startswith("承認 ") and approval.endswith("=HYPERLINK(1)")

    client.post(LEDGER + query, {"format": "xlsx"})
    workbook = load_workbook(io.BytesIO(content(made(client))))
    approval = workbook.worksheets[0].cell(row=2, column=COLUMN["approval"] + 1)
    assert approval.data_type == "s" and approval.value.endswith("=HYPERLINK(1)")


@pytest.mark.parametrize(
    "query,message",
    [
        ("first=2026-12-01&last=2026-11-01", "期間の終わりが始まりより前です。"),
        ("first=2020-01-01&last=2026-11-01", "期間は5年までです。"),
        ("first=2026-13-01&last=2026-11-01", "日付を正しく入力してください。"),
        ("first=2026-11-01&last=2026-11-30&format=exe", "ファイルの形式が不明です。"),
    ],
)
def test_a_bad_period_is_an_error_never_a_wrong_ledger(client, november, desk_user, query, message):
    client.force_login(desk_user)
    for url in (LEDGER, STATISTICS):
        if url == LEDGER and "format=" in query:  # the ledger's files are asked for with a POST
            period, form = query.split("&format=")
            response = client.post(f"{url}?organization={november['juo'].pk}&{period}", {"format": form})
        else:
            response = client.get(f"{url}?organization={november['juo'].pk}&{query}")
        assert not Export.objects.exists()
        assert response.status_code == 400
        assert message in response.content.decode()
        assert "rows" not in response.context and "stats" not in response.context


def test_another_organizations_ledger_is_refused(client, november, other_org_user):
    client.force_login(other_org_user)
    response = client.post(
        f"{LEDGER}?organization={november['juo'].pk}&first=2026-11-01&last=2026-11-30", {"format": "csv"}
    )

    assert response.status_code == 400  # not a choice for this user: the form refuses it
    assert not Export.objects.exists()
    assert not AccessLog.objects.filter(kind=AccessKind.LEDGER_EXPORT).exists()


def test_a_pdf_of_too_many_rows_is_refused_with_the_reason(client, november, desk_user, monkeypatch):
    from requests_app import exports

    monkeypatch.setitem(exports.LEDGER_LIMITS, "pdf", 4)
    client.force_login(desk_user)
    query = f"?organization={november['juo'].pk}&first=2026-11-01&last=2026-11-30"

    response = client.post(LEDGER + query, {"format": "pdf"}, follow=True)

    assert response.redirect_chain == [(LEDGER + query, 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "この期間の請求は5件です。PDFファイルは4件までしか作成できません。期間を絞るか、CSVをダウンロードしてください。"
    ]
    assert not AccessLog.objects.filter(kind=AccessKind.LEDGER_EXPORT).exists()
    assert not Export.objects.exists()


def test_the_ledger_page_query_count_does_not_grow_with_the_rows(client, travel, desk_user, policies):
    """Each page of the ledger reads its rows with the same queries (prefetched, none per row)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(desk_user)
    travel("2026-11-02")
    juo = policies[JUO]
    url = f"{LEDGER}?organization={juo.organization_id}&first=2026-11-01&last=2026-11-30"

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    register(desk_user, juo, kinds=("correction",), reached_on=D("2026-11-02"))
    few = count_queries()
    for _ in range(11):
        case = register(desk_user, juo, kinds=("disclosure", "purpose_notice"), reached_on=D("2026-11-02"))
        services.request_start_verification(actor=desk_user, case=case)
        services.request_verify(actor=desk_user, case=case, outcome=VerificationOutcome.VERIFIED, name_matches=True)
    many = count_queries()

    assert few == many


def test_the_statistics_page_and_pdf(client, november, manager_user):
    client.force_login(manager_user)
    query = f"?organization={november['juo'].pk}&first=2026-11-01&last=2026-11-30"

    page = client.get(STATISTICS + query)
    assert page.status_code == 200 and page.context["stats"].total == 5
    body = page.content.decode()
    assert "<svg" in body and "50.0 %" in body

    pdf = client.get(STATISTICS + query + "&format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_statistics_query_count_does_not_grow_with_the_requests(client, travel, desk_user, manager_user, policies):
    """Two requests or twenty: the same number of queries (SQL aggregates, no query per case)."""
    client.force_login(manager_user)

    def count_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(STATISTICS + "?first=2026-11-01&last=2026-11-30").status_code == 200
        return len(queries)

    travel("2026-11-02")
    for _ in range(2):
        case = register(desk_user, policies[JUO], kinds=("correction",), reached_on=D("2026-11-02"))
        services.request_start_verification(actor=desk_user, case=case)
        services.request_verify(actor=desk_user, case=case, outcome=VerificationOutcome.VERIFIED, name_matches=True)
        _answer(case, desk_user)
    few = count_queries()
    for _ in range(18):
        case = register(desk_user, policies[COPRO], kinds=("disclosure", "purpose_notice"), reached_on=D("2026-11-02"))
    many = count_queries()

    assert Request.objects.count() == 20
    assert few == many


def test_the_first_visit_asks_for_the_organization_without_an_error(client, desk_user, seed_orgs):
    client.force_login(desk_user)

    response = client.get(LEDGER)

    assert response.status_code == 200
    assert "このフィールドは必須です" not in response.content.decode()
    assert "rows" not in response.context
    assert seed_orgs[JUO].name in response.content.decode()  # offered in the choice


def test_full_width_dates_in_the_address_bar_are_read(client, november, desk_user):
    client.force_login(desk_user)

    response = client.get(
        f"{LEDGER}?organization={november['juo'].pk}&first=２０２６-１１-０１&last=２０２６-１１-３０"
    )

    assert response.status_code == 200 and len(response.context["rows"]) == 5
