"""The consents app wired into the desk's cases (SPEC §11): letters answer from data, and a granted
suspension of provision stops provision."""

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from consents import services
from consents.models import (
    Basis,
    Consent,
    ConsentScope,
    DataCategory,
    OptOutProvision,
    ProvisionRecord,
    ProvisionStop,
    PurposeOfUse,
    RecordedHow,
)
from requests_app import services as desk
from requests_app.models import DocumentKind, Outcome, Request, Status
from requests_app.pipeline import TransitionNotAllowed
from requests_app.seeds import JUO, LEVERAGES
from tests.factories import case_in, document_data

D = dt.date.fromisoformat
TODAY = "2026-11-20"
pytestmark = pytest.mark.django_db


def test_a_purpose_notice_is_answered_with_the_purposes_in_force(travel, desk_user, policies):
    """Art. 32-1: the purposes in force on the day the request reached us are printed in the letter
    — no "see the attachment", no blank to fill; a superseded purpose is not printed."""
    travel(TODAY)
    organization = policies[JUO].organization
    PurposeOfUse.objects.create(
        organization=organization,
        category=DataCategory.MEMBERS,
        text="求人情報の提供のため",
        effective_from=D("2022-12-01"),
    )
    PurposeOfUse.objects.create(
        organization=organization,
        category=DataCategory.MEMBERS,
        text="旧サービスの運営のため",
        effective_from=D("2020-01-01"),
        effective_until=D("2022-11-30"),
    )
    case = case_in(Status.RESPONDING, desk_user, policies[JUO], kinds=("purpose_notice",), reached_on=D(TODAY))

    letter = desk.letter_draft(actor=desk_user, case=case, kind="result")

    assert "求人情報の提供のため" in letter.body and "会員" in letter.body
    assert "旧サービスの運営のため" not in letter.body and "〔要記入" not in letter.body
    desk.response_send(actor=desk_user, letter=letter, method="email")


def test_a_third_party_record_disclosure_lists_the_persons_records(travel, desk_user, policies):
    """Art. 33-5: the records of provision are disclosed: recipient, date, items; a record the
    Enforcement Order (Art. 11) excludes is left out."""
    travel(TODAY)
    case = case_in(
        Status.RESPONDING,
        desk_user,
        policies[LEVERAGES],
        kinds=("third_party_record_disclosure",),
        reached_on=D(TODAY),
        documents=[document_data(DocumentKind.PASSPORT)],
    )
    person = case.data_subject
    services.consent_give(
        actor=desk_user,
        data_subject=person,
        scope=ConsentScope.THIRD_PARTY,
        recipient="株式会社A社",
        items="氏名、職務経歴",
        given_on=D("2026-10-01"),
        method="応募フォーム",
    )
    for counterparty, excluded in (("株式会社A社", False), ("株式会社A社", True)):
        services.provision_record(
            actor=desk_user,
            data_subject=person,
            counterparty=counterparty,
            items="氏名、職務経歴" if not excluded else "捜査照会への回答",
            provided_on=D("2026-11-02"),
            basis=Basis.CONSENT,
            recorded_how=RecordedHow.EACH_TIME,
            excluded_from_disclosure=excluded,
        )

    letter = desk.letter_draft(actor=desk_user, case=case, kind="result")

    assert "2026年11月2日　提供：株式会社A社（氏名、職務経歴）" in letter.body
    assert "捜査照会への回答" not in letter.body and "〔要記入" not in letter.body


def test_granting_a_suspension_of_provision_stops_it(travel, desk_user, policies):
    """Art. 35-3: once the grant takes effect the matching consent is withdrawn through the case
    and a new provision to that recipient is refused, naming the case."""
    travel(TODAY)
    case = case_in(
        Status.IN_PROGRESS,
        desk_user,
        policies[LEVERAGES],
        kinds=("suspension_of_provision",),
        items=[{"kind": "suspension_of_provision", "recipient": "株式会社A社"}],
        reached_on=D(TODAY),
        documents=[document_data(DocumentKind.PASSPORT)],
    )
    person = case.data_subject
    consent = services.consent_give(
        actor=desk_user,
        data_subject=person,
        scope=ConsentScope.THIRD_PARTY,
        recipient="株式会社A社",
        items="氏名",
        given_on=D("2026-10-01"),
        method="応募フォーム",
    )
    desk.item_decide(actor=desk_user, item=case.items.get(), outcome=Outcome.COMPLY, ground="voluntary")
    desk.request_submit_decisions(actor=desk_user, case=case)

    consent.refresh_from_db()
    assert consent.withdrawn_by_case == case
    with pytest.raises(TransitionNotAllowed, match=case.reference):
        services.provision_record(
            actor=desk_user,
            data_subject=person,
            counterparty="株式会社A社",
            items="氏名",
            provided_on=D(TODAY),
            basis=Basis.CONSENT,
            recorded_how=RecordedHow.EACH_TIME,
        )


@override_settings(DEBUG=True)
def test_the_demo_holds_what_scenario_2_answers_from():
    """seed_demo: Leverages' people on record with consents (one foreign, with the Art. 28-2
    snapshot) and records; JUO's opt-out provision; Scenario 2's case stopped provision to the
    agency through its case; the record disclosure was answered from the records, the excluded
    one left out. A second run adds nothing."""
    call_command("seed_demo", stdout=io.StringIO())
    counts = (Consent.objects.count(), ProvisionRecord.objects.count(), ProvisionStop.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Consent.objects.count(), ProvisionRecord.objects.count(), ProvisionStop.objects.count()) == counts

    foreign = Consent.objects.get(scope=ConsentScope.FOREIGN)
    assert foreign.country == "ベトナム社会主義共和国" and "契約" in foreign.recipient_measures
    assert OptOutProvision.objects.get(organization__code=JUO).active
    sato = Request.objects.get(data_subject__family_name="佐藤", organization__code=LEVERAGES)
    withdrawn = Consent.objects.get(recipient="株式会社みらい人材エージェント")
    assert withdrawn.withdrawn_by_case == sato
    with pytest.raises(TransitionNotAllowed, match=sato.reference):
        services.provision_record(
            actor=get_user_model().objects.get(username="desk"),
            data_subject=withdrawn.data_subject,
            counterparty="株式会社みらい人材エージェント",
            items="氏名",
            provided_on=timezone.localdate(),
            basis=Basis.OTHER,
            recorded_how=RecordedHow.EACH_TIME,
        )
    chiba = Request.objects.get(data_subject__family_name="千葉", organization__code=LEVERAGES)
    assert chiba.status == Status.CLOSED
    letter = chiba.letters.get(kind="result")
    assert "株式会社ネクストキャリア" in letter.body and "イベント企画" not in letter.body


@override_settings(DEBUG=True)
def test_a_demo_purpose_notice_prints_the_seed_policys_purposes():
    """Art. 32-1, for a demo person: COPRO's purposes as its policy states them, no blank to fill."""
    import json

    from consents.hooks import SEED_PURPOSES

    call_command("seed_demo", stdout=io.StringIO())
    case = Request.objects.filter(
        organization__code="copro", status=Status.RESPONDING, items__kind="purpose_notice"
    ).first()
    letter = desk.letter_draft(actor=get_user_model().objects.get(username="desk"), case=case, kind="result")
    first = json.loads(SEED_PURPOSES.read_text(encoding="utf-8"))["copro"]["categories"][0]["purposes"][0]
    assert first in letter.body and "〔要記入" not in letter.body
