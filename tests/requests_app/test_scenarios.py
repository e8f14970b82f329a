"""SCENARIOS.md, one per seed organization, driven through the admin with the test client:
intake → verification → fee → decision → approval where needed → responding."""

import datetime as dt

import pytest

from requests_app.models import Request, Status
from requests_app.seeds import COPRO, JUO, LEVERAGES, PLUS_UP, RECRUIT_CC
from tests import desk

D = dt.date.fromisoformat


def reload(case):
    return Request.objects.get(pk=case.pk)


def page_text(client, case):
    return client.get(desk.case_url(case)).content.decode()


def test_copro_agent_by_post_with_a_fee_short(client, travel, desk_user, manager_user, policies):
    """§1: son as entrusted agent, 1,000 yen due and 500 enclosed; complete when the second order arrives."""
    travel("2026-12-24")
    client.force_login(desk_user)
    response, case = desk.register(
        client,
        policies[COPRO],
        kinds=("disclosure", "purpose_notice"),
        channel="post",
        reached_on="2026-12-24",
        family_name="山田",
        given_name="花子",
        family_name_kana="ヤマダ",
        given_name_kana="ハナコ",
        postal_code="464-0001",
        address="愛知県名古屋市千種区1-2-3",
        agent_type="entrusted",
        agent_family_name="山田",
        agent_given_name="一郎",
        agent_relationship="長男",
        agent_postal_code="464-0002",
        agent_address="愛知県名古屋市千種区4-5-6",
        details="応募時の面接記録一式",
        requested_method="paper",
        preferred_response_method="registered_mail",
        payment_amount="500",
        payment_method="postal_money_order",
        notes="簡易書留。封筒に朱書きあり。",
        documents=[
            {"kind": "power_of_attorney", "received_on": "2026-12-24"},
            {"kind": "seal_registration_certificate", "received_on": "2026-12-24"},
            {"kind": "drivers_license", "holder": "agent", "received_on": "2026-12-24", "domicile": "by_sender"},
        ],
    )
    page = desk.follow(client, response).content.decode()
    assert f"案件 {case.reference} として受付登録しました。" in page
    assert "不足額" in page and "500円" in page
    assert "期限未開始" in page  # not complete: the fee is short

    response = desk.act(
        client, case, "pause", kind="fee_shortfall", note="手数料不足（500円）の定額小為替の送付依頼", on="2026-12-24"
    )
    assert "補正待ち" in desk.follow(client, response).content.decode()
    assert reload(case).status == Status.AWAITING_REQUESTER

    travel("2027-01-05")
    client.force_login(desk_user)  # days later: the idle session has ended, the desk signs in again
    response = desk.act(
        client, case, "record-payment", amount="500", method="postal_money_order", received_on="2027-01-05"
    )
    page = desk.follow(client, response).content.decode()
    case = reload(case)
    assert (case.status, case.complete_on, case.due_on) == (Status.RECEIVED, D("2027-01-05"), D("2027-01-26"))
    assert "2027-01-26" in page

    desk.follow(client, desk.act(client, case, "start-verification"))
    desk.follow(client, desk.act(client, case, "verify", outcome="verified", name_matches="on", on="2027-01-05"))
    assert reload(case).status == Status.IN_PROGRESS

    purpose, disclosure = case.items.get(kind="purpose_notice"), case.items.get(kind="disclosure")
    desk.follow(client, desk.act(client, case, "decide", item=purpose, outcome="comply", on="2027-01-05"))
    reason = "面接官による社内評価メモは、開示により採用選考業務の適正な実施に著しい支障を及ぼすおそれがあるため。"
    desk.follow(
        client,
        desk.act(
            client,
            case,
            "decide",
            item=disclosure,
            outcome="partial",
            ground="business_interference",
            reason_text=reason,
            method_used="paper",
            on="2027-01-05",
        ),
    )
    desk.follow(client, desk.act(client, case, "submit-decisions"))
    assert reload(case).status == Status.AWAITING_APPROVAL
    assert client.get(desk.action_url(case, "approve")).status_code == 403  # desk staff cannot approve

    client.force_login(manager_user)
    page = desk.follow(client, desk.act(client, case, "approve", comment="一部開示で可")).content.decode()
    case = reload(case)
    assert case.status == Status.RESPONDING
    assert "回答準備中" in page and reason in page
    approval = case.approvals.get()
    assert approval.approver == manager_user
    assert case.decisions.get(item=disclosure).decided_by == desk_user

    history = client.get(f"/admin/requests_app/request/{case.pk}/case-history/").content.decode()
    for step in (
        "受付登録",
        "補正待ち",
        "手数料を受領",
        "本人確認を開始",
        "決定",
        "決定を回付",
        "承認",
        "一部開示で可",
    ):
        assert step in history, step


def test_leverages_self_by_email_fourteen_business_days_dispose_at_once(client, travel, desk_user, policies):
    """§2: complete on arrival, due 14 business days later over three holidays; ID copy shredded the
    same day; the records are disclosed from what we hold (Art. 33-5); the granted suspension
    withdraws the consent through the case and a new provision to the agency is refused (Art. 35-4)."""
    from consents import services as consents
    from consents.models import Consent
    from requests_app.pipeline import TransitionNotAllowed

    travel("2026-09-01")
    agency = "株式会社みらい人材エージェント"
    person = consents.person_on_record(
        actor=desk_user,
        organization_id=policies[LEVERAGES].organization_id,
        identity={"family_name": "佐藤", "given_name": "健", "email": "ken.sato@example.jp"},
    )
    consents.consent_give(
        actor=desk_user, data_subject=person, scope="third_party", recipient=agency, items="氏名、職務経歴",
        given_on=D("2026-04-10"), method="申込画面での同意",
    )  # fmt: skip
    consents.provision_record(
        actor=desk_user, data_subject=person, counterparty=agency, items="氏名、職務経歴",
        provided_on=D("2026-05-20"), basis="consent", recorded_how="each_time",
    )  # fmt: skip
    travel("2026-09-18")
    client.force_login(desk_user)
    response, case = desk.register(
        client,
        policies[LEVERAGES],
        kinds=("third_party_record_disclosure", "suspension_of_provision"),
        channel="email",
        reached_on="2026-09-18",
        family_name="佐藤",
        given_name="健",
        email="ken.sato@example.jp",
        postal_code="150-0002",
        address="東京都渋谷区渋谷1-1-1",
        recipient="株式会社みらい人材エージェント",
        requested_method="electronic",
        preferred_response_method="email",
        documents=[{"kind": "my_number_card_front", "received_on": "2026-09-18", "domicile": "not_shown"}],
    )
    desk.follow(client, response)
    case = reload(case)
    assert (case.complete_on, case.due_on) == (D("2026-09-18"), D("2026-10-14"))

    desk.follow(client, desk.act(client, case, "start-verification"))
    desk.follow(
        client,
        desk.act(client, case, "verify", outcome="verified", name_matches="on", address_matches="on", on="2026-09-18"),
    )
    document = case.documents.get()
    desk.follow(
        client,
        desk.act(
            client, case, "dispose-documents", documents=[document.pk], disposed_on="2026-09-18", method="shredded"
        ),
    )
    document.refresh_from_db()
    assert (document.disposed_on, document.disposal_method, document.disposed_by) == (
        D("2026-09-18"),
        "shredded",
        desk_user,
    )

    travel("2026-09-24")
    client.force_login(desk_user)  # days later: the idle session has ended, the desk signs in again
    records = case.items.get(kind="third_party_record_disclosure")
    suspension = case.items.get(kind="suspension_of_provision")
    desk.follow(
        client,
        desk.act(client, case, "decide", item=records, outcome="comply", method_used="electronic", on="2026-09-24"),
    )
    desk.follow(
        client,
        desk.act(client, case, "decide", item=suspension, outcome="comply", ground="harm_to_rights", on="2026-09-24"),
    )
    desk.follow(client, desk.act(client, case, "submit-decisions"))
    assert reload(case).status == Status.RESPONDING  # nothing refused: no approval needed
    consent = Consent.objects.get()
    assert (consent.withdrawn_on, consent.withdrawn_by_case_id) == (D("2026-09-24"), case.pk)
    assert "みらい人材エージェント" in page_text(client, case)  # what we hold, on the case page

    desk.follow(client, desk.act(client, case, "draft-letter", kind="result"))
    letter = case.letters.get(kind="result")
    assert "2026年5月20日　提供：株式会社みらい人材エージェント（氏名、職務経歴）" in letter.body
    assert "株式会社みらい人材エージェントへの第三者提供を停止いたしました" in letter.body

    travel("2026-10-01")
    with pytest.raises(TransitionNotAllowed, match=case.reference):
        consents.provision_record(
            actor=desk_user, data_subject=person, counterparty=agency, items="氏名",
            provided_on=D("2026-10-01"), basis="other", recorded_how="each_time",
        )  # fmt: skip


def test_juo_fee_per_disclosure_across_the_new_year_closure(client, travel, desk_user, policies):
    """§3: the bank transfer arrives after the closure; complete that day, due 14 business days on."""
    travel("2026-12-28")
    client.force_login(desk_user)
    response, case = desk.register(
        client,
        policies[JUO],
        kinds=("disclosure",),
        channel="email",
        reached_on="2026-12-28",
        family_name="鈴木",
        given_name="美咲",
        email="misaki@example.jp",
        member_id="CM-20415",
        requested_method="electronic",
    )
    desk.follow(client, response)
    assert reload(case).complete_on is None

    travel("2027-01-06")
    client.force_login(desk_user)  # days later: the idle session has ended, the desk signs in again
    desk.follow(
        client,
        desk.act(client, case, "record-payment", amount="1000", method="bank_transfer", received_on="2027-01-06"),
    )
    case = reload(case)
    assert (case.complete_on, case.due_on) == (D("2027-01-06"), D("2027-01-27"))
    desk.follow(client, desk.act(client, case, "start-verification"))
    desk.follow(client, desk.act(client, case, "verify", outcome="verified", note="登録メールアドレスからの請求"))
    desk.follow(
        client,
        desk.act(client, case, "decide", item=case.items.get(), outcome="comply", method_used="electronic"),
    )
    desk.follow(client, desk.act(client, case, "submit-decisions"))
    assert reload(case).status == Status.RESPONDING

    # The same member's phone number, found wrong, is corrected.
    response, correction = desk.register(
        client,
        policies[JUO],
        kinds=("correction",),
        channel="email",
        reached_on="2027-01-05",
        family_name="鈴木",
        given_name="美咲",
        email="misaki@example.jp",
        correction_detail="電話番号 090-1111-2222 → 090-3333-4444",
    )
    desk.follow(client, response)
    desk.follow(client, desk.act(client, correction, "start-verification"))
    desk.follow(client, desk.act(client, correction, "verify", outcome="verified"))
    desk.follow(client, desk.act(client, correction, "decide", item=correction.items.get(), outcome="comply"))
    desk.follow(client, desk.act(client, correction, "submit-decisions"))
    assert reload(correction).status == Status.RESPONDING


def test_recruit_phone_first_minors_legal_representative(client, travel, desk_user, policies):
    """§4: the mother calls; the form comes back by post with the family register and her insurance card."""
    travel("2026-11-16")
    client.force_login(desk_user)
    response, case = desk.register(
        client,
        policies[RECRUIT_CC],
        kinds=("erasure",),
        channel="phone",
        reached_on="2026-11-16",
        family_name="佐々木",
        given_name="蓮",
        birth_date="2009-04-02",
        agent_type="minor_legal_rep",
        agent_family_name="佐々木",
        agent_given_name="恵子",
        agent_relationship="母",
        agent_phone="090-1234-5678",
        details="応募データの消去",
        notes="あんしんダイヤルで受電。請求書を郵送。",
    )
    desk.follow(client, response)
    case = reload(case)
    assert case.form_received_on is None and case.complete_on is None
    # The desk sends the form with what to enclose (for a minor's legal representative).
    desk.follow(client, desk.act(client, case, "draft-letter", kind="request_form"))
    letter = case.letters.get(kind="request_form")
    assert "同封の請求書（ご記入・ご署名のうえ）" in letter.body
    assert "戸籍謄本" in letter.body or "法定代理人" in letter.body  # the proof of authority asked for

    travel("2026-11-20")
    client.force_login(desk_user)  # days later: the idle session has ended, the desk signs in again
    # The form comes back with her documents: one operation records the form and what it enclosed.
    rows = [("family_register_extract", "not_shown"), ("eligibility_certificate", "by_desk")]
    enclosed = {}
    for index, (kind, insurer_number) in enumerate(rows):
        enclosed.update(
            {
                f"documents-{index}-kind": kind,
                f"documents-{index}-holder": "agent",
                f"documents-{index}-received_on": "2026-11-20",
                f"documents-{index}-individual_number": "not_shown",
                f"documents-{index}-insurer_number": insurer_number,
                f"documents-{index}-domicile": "not_shown",
            }
        )
    desk.follow(client, desk.act(client, case, "record-form", received_on="2026-11-20", **enclosed))
    case = reload(case)
    assert case.complete_on == D("2026-11-20")
    assert case.documents.get(kind="eligibility_certificate").masked_by_desk
    desk.follow(client, desk.act(client, case, "start-verification"))
    desk.follow(client, desk.act(client, case, "verify", outcome="verified", name_matches="on"))
    desk.follow(
        client,
        desk.act(client, case, "decide", item=case.items.get(), outcome="comply", ground="no_longer_needed"),
    )
    desk.follow(client, desk.act(client, case, "submit-decisions"))
    page = page_text(client, case)
    assert reload(case).status == Status.RESPONDING
    assert "利用する必要がなくなった" in page


def test_plus_up_self_service_redirect(client, travel, desk_user, policies):
    """§5: a correction request answered as resolved by self-service on My Page; no fee, no ID needed."""
    travel("2026-11-20")
    client.force_login(desk_user)
    response, case = desk.register(
        client,
        policies[PLUS_UP],
        kinds=("correction",),
        channel="email",
        reached_on="2026-11-20",
        family_name="高橋",
        given_name="大輔",
        email="daisuke@example.jp",
        correction_detail="職務経歴（2019年〜2022年の在籍企業名）",
    )
    desk.follow(client, response)
    desk.follow(client, desk.act(client, case, "start-verification"))
    desk.follow(client, desk.act(client, case, "verify", outcome="verified", note="登録メールアドレスから"))
    desk.follow(client, desk.act(client, case, "decide", item=case.items.get(), outcome="self_service"))
    desk.follow(client, desk.act(client, case, "submit-decisions"))
    assert reload(case).status == Status.RESPONDING


# ------------------------------------------------------------------------------------------
# Bad input in the browser: a clear message, nothing saved, the input kept (SPEC §16)
# ------------------------------------------------------------------------------------------
def test_intake_with_errors_keeps_what_was_typed_and_saves_nothing(client, travel, desk_user, policies):
    travel("2026-11-20")
    client.force_login(desk_user)
    response, case = desk.register(
        client,
        policies[COPRO],
        reached_on="2026-11-25",
        family_name="山田",
        given_name="花子",
        address="愛知県名古屋市千種区1-2-3",
        notes="個人番号 123456789012 が記載されていた",
    )

    assert response.status_code == 200
    assert case is None and Request.objects.count() == 0
    errors = desk.errors_of(response)
    assert "到達日" in errors and "未来の日付" in errors
    assert "12桁の数字が含まれています" in errors
    page = response.content.decode()
    assert 'value="愛知県名古屋市千種区1-2-3"' in page and "花子" in page


def test_intake_document_row_without_masking_is_refused(client, travel, desk_user, policies):
    travel("2026-11-20")
    client.force_login(desk_user)
    response, case = desk.register(
        client,
        policies[COPRO],
        reached_on="2026-11-20",
        family_name="山田",
        documents=[{"kind": "health_insurance_card", "received_on": "2026-11-20", "insurer_number": ""}],
    )

    assert response.status_code == 200 and case is None
    assert "記録する書類ごとに必須です。" in desk.errors_of(response)


def test_double_submission_of_the_intake_form_opens_the_first_case(client, travel, desk_user, policies):
    travel("2026-11-20")
    client.force_login(desk_user)
    data = desk.intake_data(policies[JUO], reached_on="2026-11-20", family_name="鈴木", channel="email")

    first = client.post("/admin/requests_app/request/add/", data)
    second = client.post("/admin/requests_app/request/add/", data)

    assert Request.objects.count() == 1
    case = Request.objects.get()
    assert second.status_code == 302 and second["Location"] == desk.case_url(case)
    assert first["Location"] == second["Location"]
    assert "すでに登録済み" in client.get(second["Location"]).content.decode()


def test_unknown_policy_is_refused_with_a_message(client, travel, desk_user, policies):
    travel("2026-11-20")
    client.force_login(desk_user)
    data = desk.intake_data(policies[JUO], reached_on="2026-11-20", family_name="鈴木")
    data["policy"] = "999999"

    response = client.post("/admin/requests_app/request/add/", data)

    assert response.status_code == 200
    assert "不明な受付方針です。" in desk.errors_of(response)


def test_refused_transition_shows_the_guard_message_and_keeps_the_form(client, travel, desk_user, policies):
    travel("2026-11-20")
    client.force_login(desk_user)
    response, case = desk.register(client, policies[COPRO], reached_on="2026-11-20", family_name="山田")
    desk.follow(client, response)
    desk.follow(client, desk.act(client, case, "start-verification"))

    response = desk.act(client, case, "verify", outcome="verified", name_matches="on", note="氏名確認済み")

    assert response.status_code == 200
    page = response.content.decode()
    assert "確認済にできません" in page and "本人の本人確認書類" in page
    assert "氏名確認済み" in page  # the note typed is still there
    assert reload(case).status == Status.VERIFYING


@pytest.mark.parametrize("language,expected", [("ja", "受付登録"), ("en", "Register a request")])
def test_intake_page_in_the_users_language(client, desk_user, seed_orgs, language, expected):
    desk_user.language = language
    desk_user.save()
    client.force_login(desk_user)

    assert expected in client.get("/admin/requests_app/request/add/").content.decode()


def test_desk_corrects_a_typo_in_the_subjects_name_and_history_shows_it(client, travel, desk_user, policies):
    travel("2026-11-20")
    client.force_login(desk_user)
    response, case = desk.register(
        client, policies[JUO], reached_on="2026-11-20", family_name="鈴本", given_name="美咲", channel="email"
    )
    desk.follow(client, response)

    refused = desk.act(client, case, "edit-people", subject__family_name="鈴木", note="番号 123412341234 誤記")
    assert refused.status_code == 200 and "12桁の数字" in desk.errors_of(refused)
    page = desk.follow(
        client, desk.act(client, case, "edit-people", subject__family_name="鈴木", note="姓の誤記を訂正")
    ).content.decode()

    case = reload(case)
    assert case.data_subject.family_name == "鈴木"
    assert "鈴木 美咲" in page
    history = client.get(f"/admin/requests_app/request/{case.pk}/case-history/").content.decode()
    assert "個人情報を訂正" in history and "姓の誤記を訂正" in history
    assert "<del>鈴本</del>" in history and "<ins>鈴木</ins>" in history


def test_intake_token_that_looks_like_twelve_digits_is_not_refused(client, travel, desk_user, policies):
    """The hidden form token is a UUID; some UUIDs contain 12 digits in a row. It is not free text."""
    travel("2026-11-20")
    client.force_login(desk_user)
    data = desk.intake_data(policies[JUO], reached_on="2026-11-20", family_name="鈴木", channel="email")
    data["intake_token"] = "12345678-1234-4234-8234-123456789012"

    response = client.post("/admin/requests_app/request/add/", data)

    assert response.status_code == 302, desk.describe(response)
    assert Request.objects.filter(intake_token=data["intake_token"]).exists()


def test_intake_refuses_a_superseded_desk_policy(client, travel, desk_user, policies):
    from requests_app.models import DeskPolicy

    travel("2026-11-20")
    old = policies[JUO]
    DeskPolicy.objects.create(organization=old.organization, name="改定後の手続", effective_from=D("2026-10-01"))
    client.force_login(desk_user)

    response, case = desk.register(client, old, reached_on="2026-11-20", family_name="鈴木", channel="email")

    assert response.status_code == 200 and case is None
    assert "改定後の手続" in desk.errors_of(response)
