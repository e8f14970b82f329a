"""The consents service API and its reads (SPEC §11; APPI Arts. 27–30, PPC Rules Arts. 19–25)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from consents import services
from consents.models import (
    Basis,
    Consent,
    ConsentScope,
    DataCategory,
    OptOutProvision,
    ProvisionRecord,
    PurposeOfUse,
    RecordedHow,
    retention_end,
)
from consents.selectors import what_we_hold
from requests_app.models import DataSubject
from requests_app.pipeline import TransitionNotAllowed
from requests_app.seeds import JUO, LEVERAGES
from tests.factories import register

D = dt.date.fromisoformat
TODAY = "2026-11-20"
pytestmark = pytest.mark.django_db


@pytest.fixture
def person(travel, desk_user, policies):
    """A Leverages job seeker (registered through a request, as people reach us)."""
    travel(TODAY)
    return register(desk_user, policies[LEVERAGES], reached_on=D(TODAY)).data_subject


def consent_to(person, desk_user, recipient="株式会社A社", **fields):
    return services.consent_give(
        actor=desk_user,
        data_subject=person,
        scope=ConsentScope.THIRD_PARTY,
        recipient=recipient,
        items="氏名、職務経歴",
        given_on=D("2026-10-01"),
        method="応募フォームのチェック",
        **fields,
    )


def provide(person, desk_user, recipient="株式会社A社", **fields):
    fields.setdefault("basis", Basis.CONSENT)
    fields.setdefault("recorded_how", RecordedHow.EACH_TIME)
    fields.setdefault("provided_on", D("2026-11-02"))
    return services.provision_record(
        actor=desk_user, data_subject=person, counterparty=recipient, items="氏名、職務経歴", **fields
    )


# ------------------------------------------------------------------------------------------
# Retention of records (PPC Rules Art. 21 / 25)
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("how", "last", "kept_until"),
    [
        (RecordedHow.EACH_TIME, None, "2029-11-20"),  # 3 years from the day the record was made
        (RecordedHow.BULK, "2027-03-31", "2030-03-31"),  # 3 years after the last provision
        (RecordedHow.CONTRACT, "2027-03-31", "2028-03-31"),  # 1 year after the last provision
        (RecordedHow.CONTRACT, None, "2027-11-02"),  # one provision: 1 year after it
    ],
)
def test_the_retention_end_for_each_way_of_recording(how, last, kept_until):
    """PPC Rules Art. 21: contract in place of the record → 1 year after the last provision; bulk →
    3 years after the last provision; each time → 3 years from the record's creation."""
    assert retention_end(
        recorded_how=how,
        created_on=D(TODAY),
        provided_on=D("2026-11-02"),
        last_provided_on=D(last) if last else None,
    ) == D(kept_until)


def test_a_record_made_through_the_service_carries_its_retention_end(person, desk_user):
    consent_to(person, desk_user)
    record = provide(person, desk_user)
    assert record.retention_end == D("2029-11-20") and record.created_on == D(TODAY)


# ------------------------------------------------------------------------------------------
# Provisions refused with the reason (Arts. 27, 35-3, 27-2)
# ------------------------------------------------------------------------------------------
def test_a_provision_needs_a_consent_in_force_for_that_recipient(person, desk_user):
    """Art. 27-1: without the person's consent (or another basis) no provision to a third party."""
    consent_to(person, desk_user, recipient="株式会社B社")
    with pytest.raises(TransitionNotAllowed, match="株式会社A社"):
        provide(person, desk_user)
    assert not ProvisionRecord.objects.exists()


def test_a_provision_is_refused_after_a_granted_suspension(person, desk_user, policies):
    """Art. 35-3: a granted suspension of provision withdraws the matching consents through the
    case and refuses any new provision to that recipient, naming the case."""
    consent = consent_to(person, desk_user)
    provide(person, desk_user)
    case = register(
        desk_user, policies[LEVERAGES], kinds=("suspension_of_provision",), reached_on=D(TODAY),
        subject={"family_name": person.family_name},
    )  # fmt: skip

    services.provision_suspend(actor=desk_user, data_subject=person, recipient="株式会社A社", on=D(TODAY), case=case)

    consent.refresh_from_db()
    assert consent.withdrawn_on == D(TODAY) and consent.withdrawn_by_case == case
    withdrawal = consent.history.latest()
    assert withdrawal.history_user == desk_user and withdrawal.withdrawn_by_case_id == case.pk
    assert withdrawal.history_operation == "withdraw_consent"
    with pytest.raises(TransitionNotAllowed, match=case.reference):
        provide(person, desk_user, provided_on=D(TODAY))
    assert ProvisionRecord.objects.count() == 1


def test_a_provision_is_refused_after_an_opt_out_stop(travel, desk_user, policies):
    """Art. 27-2: a person may have the opt-out provision stopped for them; no provision follows."""
    travel(TODAY)
    person = register(desk_user, policies[JUO], reached_on=D(TODAY)).data_subject
    opt_out = OptOutProvision.objects.create(
        organization_id=person.organization_id,
        recipient="求人情報提携サイト",
        items="氏名、希望職種",
        method="電子データの送信",
        how_to_stop="info@career-model.com へ連絡",
    )
    services.provision_record(
        actor=desk_user,
        data_subject=person,
        counterparty="求人情報提携サイト",
        items="氏名",
        provided_on=D("2026-11-02"),
        basis=Basis.OPT_OUT,
        opt_out=opt_out,
        recorded_how=RecordedHow.BULK,
    )
    services.opt_out_stop(actor=desk_user, opt_out=opt_out, data_subject=person, on=D(TODAY))

    with pytest.raises(TransitionNotAllowed, match="求人情報提携サイト"):
        services.provision_record(
            actor=desk_user,
            data_subject=person,
            counterparty="求人情報提携サイト",
            items="氏名",
            provided_on=D(TODAY),
            basis=Basis.OPT_OUT,
            opt_out=opt_out,
            recorded_how=RecordedHow.BULK,
        )


@pytest.mark.parametrize("ground", list(services.NO_RECORD_GROUNDS))
def test_provisions_that_need_no_record_are_refused_as_records(person, desk_user, ground):
    """Art. 29-1 proviso: provisions under Art. 27-1 and 27-5 (entrustment, succession, joint use)
    are not provisions to a third party and are not recorded as such."""
    with pytest.raises(TransitionNotAllowed):
        provide(person, desk_user, no_record_ground=ground)


def test_a_foreign_consent_keeps_what_the_person_was_told(person, desk_user):
    """Art. 28-2 (Rules Art. 17): the country, its protection system and the recipient's measures
    — or why what was not told could not be known."""
    with pytest.raises(ValidationError) as refused:
        services.consent_give(
            actor=desk_user,
            data_subject=person,
            scope=ConsentScope.FOREIGN,
            recipient="Leverages Philippines Inc.",
            items="氏名、職務経歴",
            given_on=D("2026-10-01"),
            method="同意書",
            country="フィリピン",
        )
    assert "unknown_reason" in refused.value.message_dict

    consent = services.consent_give(
        actor=desk_user,
        data_subject=person,
        scope=ConsentScope.FOREIGN,
        recipient="Leverages Philippines Inc.",
        items="氏名、職務経歴",
        given_on=D("2026-10-01"),
        method="同意書",
        country="フィリピン",
        country_system="Data Privacy Act of 2012",
        recipient_measures="グループ共通の個人情報取扱規程",
    )
    assert consent.history.get().history_operation == "give_consent"


def test_a_receipt_records_how_the_provider_obtained_the_data(person, desk_user):
    """Art. 30-1 (ii): the recipient confirms how the provider obtained the data, and records it."""
    kwargs = {
        "actor": desk_user,
        "data_subject": person,
        "counterparty": "人材紹介会社C社",
        "items": "氏名、職務経歴",
        "provided_on": D("2026-11-02"),
        "recorded_how": RecordedHow.EACH_TIME,
    }
    with pytest.raises(ValidationError):
        services.receipt_record(provider_obtained_how=" ", **kwargs)
    record = services.receipt_record(provider_obtained_how="本人からの登録", **kwargs)
    assert record.direction == "received"


# ------------------------------------------------------------------------------------------
# What we hold about a person; scoping; purge
# ------------------------------------------------------------------------------------------
def test_what_we_hold_costs_the_same_queries_for_1000_records(person, desk_user, django_assert_max_num_queries):
    """The one selector behind the purpose notice, the record disclosure and the case page."""
    PurposeOfUse.objects.create(
        organization_id=person.organization_id,
        category=DataCategory.APPLICANTS,
        text="職業紹介のため",
        effective_from=D("2025-05-27"),
    )
    consent = consent_to(person, desk_user)
    ProvisionRecord.objects.bulk_create(
        ProvisionRecord(
            organization_id=person.organization_id,
            direction="provided",
            data_subject=person,
            counterparty="株式会社A社",
            items="氏名",
            provided_on=D("2026-01-01") + dt.timedelta(days=i % 300),
            basis=Basis.CONSENT,
            consent=consent,
            recorded_how=RecordedHow.EACH_TIME,
            retention_end=D("2029-11-20"),
            created_on=D(TODAY),
        )
        for i in range(1000)
    )
    desk_user = type(desk_user).objects.get(pk=desk_user.pk)  # nothing cached

    with django_assert_max_num_queries(5):
        held = what_we_hold(actor=desk_user, data_subject=person)

    assert len(held.provided) == 1000 and len(held.consents) == 1 and len(held.purposes) == 1


def test_another_organization_sees_nothing_and_writes_nothing(person, desk_user, other_org_user, client):
    """Organization scoping: services, the selector and every new admin page."""
    consent_to(person, desk_user)
    with pytest.raises(TransitionNotAllowed):
        consent_to(person, other_org_user, recipient="株式会社Z社")
    with pytest.raises(PermissionError):
        what_we_hold(actor=other_org_user, data_subject=person)
    client.force_login(other_org_user)
    for model in ("purposeofuse", "consent", "optoutprovision", "provisionstop", "provisionrecord"):
        response = client.get(f"/admin/consents/{model}/")
        assert response.status_code == 200  # desk staff read consents: the list is there, and empty
        assert list(response.context["cl"].result_list) == []
    assert Consent.objects.count() == 1


def test_records_are_purged_after_their_retention_end(person, desk_user):
    """PPC Rules Art. 21: after its retention end a record is erased; the erasure is in history."""
    consent_to(person, desk_user)
    record = provide(person, desk_user, recorded_how=RecordedHow.CONTRACT)  # kept until 2027-11-02

    assert services.records_purge(today=D("2027-11-02")) == 0
    assert services.records_purge(today=D("2027-11-03")) == 1
    assert not ProvisionRecord.objects.exists()
    assert record.history.latest().history_type == "-"
    assert DataSubject.objects.filter(pk=person.pk).exists()
