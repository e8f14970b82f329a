"""Retention (SPEC §14): ended cases past the period lose every personal value, live and in history;
the skeleton and an audit entry of the purge stay."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.forms.models import model_to_dict

from requests_app import services
from requests_app.models import (
    AgentType,
    DocumentKind,
    Ground,
    LetterKind,
    Outcome,
    PauseKind,
    PaymentMethod,
    Request,
    Status,
    VerificationOutcome,
)
from requests_app.seeds import COPRO, JUO
from requests_app.services.retention import PERSONAL_FIELDS
from tests.factories import case_in, document_data, fill_in, register

D = dt.date.fromisoformat

# Every personal value typed into the case below.
PERSONAL = [
    "花子",
    "ハナコ",
    "一郎",
    "長男",
    "hanako@example.jp",
    "ichiro@example.jp",
    "愛知県名古屋市千種区1-2-3",
    "愛知県名古屋市千種区4-5-6",
    "464-0002",
    "面接記録一式",
    "不足額500円の依頼",
    "社内評価メモは",
    "承認コメント本文",
    "本人へ電話で確認",
    "担当メモ本文",
]


@pytest.fixture
def closed_case(travel, desk_user, manager_user, policies):
    """SCENARIOS §1 to the end: every kind of record a case can carry, closed on 2027-01-15."""
    travel("2026-12-24")
    case = register(
        desk_user,
        policies[COPRO],
        kinds=("disclosure", "purpose_notice"),
        reached_on=D("2026-12-24"),
        subject={
            "family_name": "山田",
            "given_name": "花子",
            "given_name_kana": "ハナコ",
            "email": "hanako@example.jp",
            "address": "愛知県名古屋市千種区1-2-3",
        },
        agent={
            "agent_type": AgentType.ENTRUSTED,
            "family_name": "山田",
            "given_name": "一郎",
            "relationship": "長男",
            "email": "ichiro@example.jp",
            "postal_code": "464-0002",
            "address": "愛知県名古屋市千種区4-5-6",
        },
        items=[{"kind": "disclosure", "details": "面接記録一式"}, {"kind": "purpose_notice"}],
        documents=[
            document_data(DocumentKind.POWER_OF_ATTORNEY),
            document_data(DocumentKind.SEAL_REGISTRATION_CERTIFICATE),
            document_data(DocumentKind.DRIVERS_LICENSE, holder="agent"),
        ],
        payments=[{"method": PaymentMethod.POSTAL_MONEY_ORDER, "amount": 500, "received_on": D("2026-12-24")}],
        notes="担当メモ本文",
    )
    services.request_pause(actor=desk_user, case=case, kind=PauseKind.FEE_SHORTFALL, note="不足額500円の依頼")
    travel("2027-01-05")
    services.payment_record(
        actor=desk_user, case=case, method=PaymentMethod.POSTAL_MONEY_ORDER, amount=500, received_on=D("2027-01-05")
    )
    services.request_start_verification(actor=desk_user, case=case)
    services.request_verify(
        actor=desk_user, case=case, outcome=VerificationOutcome.VERIFIED, name_matches=True, note="本人へ電話で確認"
    )
    services.item_decide(actor=desk_user, item=case.items.get(kind="purpose_notice"), outcome=Outcome.COMPLY)
    services.item_decide(
        actor=desk_user,
        item=case.items.get(kind="disclosure"),
        outcome=Outcome.PARTIAL,
        ground=Ground.BUSINESS_INTERFERENCE,
        reason_text="面接官の社内評価メモは開示により業務に著しい支障",
        method_used="paper",
    )
    services.request_submit_decisions(actor=desk_user, case=case)
    services.decision_approve(actor=manager_user, case=case, comment="承認コメント本文")
    letter = services.letter_draft(actor=desk_user, case=case, kind=LetterKind.RESULT)
    letter = fill_in(letter, desk_user)
    services.response_send(actor=desk_user, letter=letter, method="registered_mail", tracking_number="1234-5678-901")
    travel("2027-01-15")
    services.request_close(actor=desk_user, case=case)
    return Request.objects.get(pk=case.pk)


def every_value_of(case):
    """All stored values of the case: live rows and history rows of every model it touches."""
    values = []
    for model in PERSONAL_FIELDS:
        if model is Request:
            live, history = model.objects.filter(pk=case.pk), model.history.filter(id=case.pk)
        elif model.__name__ == "DataSubject":
            live, history = model.objects.filter(pk=case.data_subject_id), model.history.filter(id=case.data_subject_id)
        elif model.__name__ == "Agent":
            live, history = model.objects.filter(pk=case.agent_id), model.history.filter(id=case.agent_id)
        else:
            live, history = model.objects.filter(request=case), model.history.filter(request_id=case.pk)
        for row in live:
            values.extend(str(v) for v in model_to_dict(row).values())
        for row in history:
            values.extend(str(getattr(row, f.attname)) for f in row._meta.concrete_fields)
    return "\n".join(values)


def test_the_fixture_really_holds_the_personal_values(closed_case):
    stored = every_value_of(closed_case)

    assert closed_case.status == Status.CLOSED
    for value in PERSONAL:
        assert value in stored, value  # otherwise the purge test below would prove nothing


def test_purge_leaves_no_personal_value_in_any_row_or_history_row(closed_case, travel):
    travel("2030-01-16")  # COPRO keeps ended cases 3 years: 2027-01-15 + 3 years
    out = io.StringIO()

    call_command("purge_expired", stdout=out)

    assert f"purged: {closed_case.reference}" in out.getvalue()
    stored = every_value_of(closed_case)
    for value in PERSONAL:
        assert value not in stored, value
    case = Request.objects.get(pk=closed_case.pk)
    # The skeleton stays: reference, dates, status, kinds, outcomes.
    assert (case.reference, case.status, case.reached_on, case.complete_on) == (
        closed_case.reference,
        Status.CLOSED,
        D("2026-12-24"),
        D("2027-01-05"),
    )
    assert sorted(case.items.values_list("kind", flat=True)) == ["disclosure", "purpose_notice"]
    assert sorted(case.decisions.values_list("outcome", flat=True)) == ["comply", "partial"]
    assert case.responses.get().tracking_number == "1234-5678-901"
    # And the purge is audited on the case.
    audit = case.history.latest()
    assert audit.history_operation == "purge"
    assert audit.history_user is None
    assert case.purged_on == D("2030-01-16")


def test_nothing_is_purged_before_the_period_ends_or_in_a_dry_run(closed_case, travel):
    travel("2030-01-14")
    out = io.StringIO()
    call_command("purge_expired", stdout=out)
    assert "0 case(s) and complaint(s) purged" in out.getvalue()

    travel("2030-01-16")
    out = io.StringIO()
    call_command("purge_expired", "--dry-run", stdout=out)
    assert f"due for purge: {closed_case.reference}" in out.getvalue()
    assert "花子" in every_value_of(closed_case)


def test_open_cases_are_never_purged(travel, desk_user, policies):
    travel("2026-01-05")
    case = register(desk_user, policies[JUO], reached_on=D("2026-01-05"))

    assert services.purge_expired(today=D("2035-01-01")) == []
    case.refresh_from_db()
    assert case.data_subject.given_name == "花子"


def test_the_purge_task_is_in_beat_schedule():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["purge-expired"]
    assert entry["task"] == "requests_app.purge_expired"


def test_a_reply_sent_by_e_mail_is_purged_too(travel, desk_user, policies):
    """SPEC §14: JUO answers by e-mail; the purge erases the address and the text of that reply
    (found when the demo purged one: the database refused an e-mail response without an address)."""
    travel("2026-11-20")
    case = case_in(Status.CLOSED, desk_user, policies[JUO], kinds=("correction",), reached_on=D("2026-11-20"))
    response = case.responses.get()
    assert response.method == "email" and response.email

    services.purge_expired(today=D("2040-01-01"))

    response.refresh_from_db()
    assert response.email == "" and response.text_sent == "（消去済）"


# ------------------------------------------------------------------------------------------
# Legal hold (issue 15)
# ------------------------------------------------------------------------------------------
def test_the_purge_skips_a_held_case_says_so_and_erases_it_once_the_hold_is_lifted(closed_case, travel, manager_user):
    """A case under an open legal hold (an Art. 39 suit) keeps its data past the retention period;
    the purge reports it as kept; lifting the hold (recorded) lets the next run erase it."""
    travel("2029-06-01")
    hold = services.hold_place(actor=manager_user, case=closed_case, reason="開示請求訴訟（東京地裁）係属中")
    travel("2030-01-16")
    out = io.StringIO()
    call_command("purge_expired", stdout=out)
    assert f"kept (legal hold since 2029-06-01): {closed_case.reference}" in out.getvalue()
    assert "0 case(s) and complaint(s) purged" in out.getvalue()
    assert "花子" in every_value_of(closed_case)
    with pytest.raises(ValueError, match="legal hold"):
        services.request_purge(case=closed_case, today=D("2030-01-16"))

    lifted = services.hold_lift(actor=manager_user, case=closed_case, reason="判決確定")
    assert lifted.pk == hold.pk
    row = lifted.history.latest()
    assert (row.history_operation, row.history_user, row.history_change_reason) == (
        "lift_hold",
        manager_user,
        "判決確定",
    )
    assert services.purge_expired(today=D("2030-01-16")) == [closed_case.reference]
    assert "花子" not in every_value_of(closed_case)


def test_a_hold_on_the_person_keeps_all_their_cases_and_records(closed_case, travel, manager_user, desk_user):
    from consents import services as consent_services
    from consents.models import ProvisionRecord
    from tests.factories import provision_on_record

    travel("2027-01-20")
    provision_on_record(desk_user, closed_case.data_subject, provided_on=D("2027-01-20"))
    services.hold_place(actor=manager_user, case=closed_case, scope="person", reason="個人情報保護委員会の照会")
    assert services.purge_expired(today=D("2035-01-01")) == []
    assert [c.pk for c, _hold in services.requests_held_from_purge(D("2035-01-01"))] == [closed_case.pk]
    assert consent_services.records_purge(today=D("2035-01-01")) == 0
    assert ProvisionRecord.objects.filter(data_subject=closed_case.data_subject).exists()


def test_only_a_manager_places_a_hold_with_a_reason_and_one_at_a_time(closed_case, desk_user, manager_user):
    with pytest.raises(services.TransitionNotAllowed):
        services.hold_place(actor=desk_user, case=closed_case, reason="訴訟")
    with pytest.raises(ValidationError):
        services.hold_place(actor=manager_user, case=closed_case, reason="  ")
    services.hold_place(actor=manager_user, case=closed_case, reason="訴訟")
    with pytest.raises(services.TransitionNotAllowed):
        services.hold_place(actor=manager_user, case=closed_case, reason="二重")


def test_a_hold_is_only_for_ones_own_organizations(closed_case, other_org_user):
    from django.contrib.auth.models import Group

    from requests_app import roles

    other_org_user.groups.add(Group.objects.get(name=roles.DESK_MANAGER))
    with pytest.raises(services.TransitionNotAllowed):
        services.hold_place(actor=other_org_user, case=closed_case, reason="訴訟")


def test_a_manager_places_and_lifts_a_hold_from_the_case_page(closed_case, client, manager_user, desk_user):
    from django.urls import reverse

    url = reverse("admin:requests_app_request_change", args=[closed_case.pk])
    client.force_login(desk_user)
    assert "/action/hold/" not in client.get(url).content.decode()  # desk staff cannot
    client.force_login(manager_user)
    page = client.get(url).content.decode()
    assert "/action/hold/" in page and "/action/lift-hold/" not in page
    action = reverse("admin:requests_app_request_action", args=[closed_case.pk, "hold"])
    data = {"version": Request.objects.get(pk=closed_case.pk).version, "scope": "person", "reason": "訴訟係属中"}
    assert client.post(action, data).status_code == 302
    page = client.get(url).content.decode()
    assert "本人（すべての案件と記録）に法的保全" in page and "訴訟係属中" in page and "/action/lift-hold/" in page
    lift = reverse("admin:requests_app_request_action", args=[closed_case.pk, "lift-hold"])
    data = {"version": Request.objects.get(pk=closed_case.pk).version, "scope": "person", "reason": "和解成立"}
    assert client.post(lift, data).status_code == 302
    assert "訴訟係属中" not in client.get(url).content.decode()


def test_the_holds_list_is_scoped_and_read_only(closed_case, client, manager_user, other_org_user):
    from django.contrib.auth.models import Group
    from django.urls import reverse

    from requests_app import roles

    services.hold_place(actor=manager_user, case=closed_case, reason="訴訟係属中")
    url = reverse("admin:requests_app_legalhold_changelist")
    client.force_login(manager_user)
    page = client.get(url)
    assert page.status_code == 200 and closed_case.reference in page.content.decode()
    assert client.get(reverse("admin:requests_app_legalhold_add")).status_code == 403
    other_org_user.groups.add(Group.objects.get(name=roles.DESK_MANAGER))
    client.force_login(other_org_user)
    assert closed_case.reference not in client.get(url).content.decode()
