"""The desk's pages for consents and records (SPEC §11): entry through the services, the CSV import
(all or nothing, errors named by row and column), formula-safe exports, filters and search, the
people on record behind the cases, and the nightly purge."""

import csv
import datetime as dt
import io

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from consents import services, tasks
from consents.models import (
    Basis,
    Consent,
    ConsentScope,
    OptOutProvision,
    ProvisionRecord,
    ProvisionStop,
    RecordedHow,
)
from consents.selectors import what_we_hold
from privacyops.audit.models import AccessLog
from privacyops.csv_safe import FORMULA_STARTS
from requests_app.models import DataSubject, DocumentKind, Status
from requests_app.pipeline import TransitionNotAllowed
from requests_app.seeds import JUO, LEVERAGES
from tests.exports import exported
from tests.factories import case_in, document_data, subject_data

D = dt.date.fromisoformat
TODAY = "2026-11-20"
pytestmark = pytest.mark.django_db
AGENCY = "株式会社みらい人材エージェント"
SATO = {
    "family_name": "佐藤",
    "given_name": "健",
    "family_name_kana": "サトウ",
    "given_name_kana": "ケン",
    "member_id": "LV-100234",
    "email": "ken.sato@example.jp",
}


@pytest.fixture
def leverages(travel, policies):
    travel(TODAY)
    return policies[LEVERAGES].organization


def on_record(desk_user, organization, **identity):
    return services.person_on_record(actor=desk_user, organization_id=organization.pk, identity={**SATO, **identity})


def consented(desk_user, person, recipient=AGENCY, given_on="2026-04-10"):
    return services.consent_give(
        actor=desk_user,
        data_subject=person,
        scope=ConsentScope.THIRD_PARTY,
        recipient=recipient,
        items="氏名、職務経歴",
        given_on=D(given_on),
        method="申込画面での同意",
    )


def provided(desk_user, person, recipient=AGENCY, provided_on="2026-05-20", **fields):
    fields.setdefault("basis", Basis.CONSENT)
    fields.setdefault("recorded_how", RecordedHow.EACH_TIME)
    return services.provision_record(
        actor=desk_user, data_subject=person, counterparty=recipient, items="氏名、職務経歴",
        provided_on=D(provided_on), **fields,
    )  # fmt: skip


# ------------------------------------------------------------------------------------------
# The same person: cases and people on record
# ------------------------------------------------------------------------------------------
def test_a_case_finds_the_person_on_record_by_member_id(leverages, desk_user, policies, django_assert_max_num_queries):
    """SPEC §11: consents and records are kept on the person on record; the case's person (as the
    form names them, erased with the case) finds them by member ID, in the selector's five queries."""
    person = on_record(desk_user, leverages, birth_date=D("1990-05-12"))
    consented(desk_user, person)
    ProvisionRecord.objects.bulk_create(  # the selector reads the records, not their history
        ProvisionRecord(
            organization=leverages, direction="provided", data_subject=person, counterparty=AGENCY, items="氏名",
            provided_on=D("2024-01-01") + dt.timedelta(days=day % 600), basis=Basis.CONSENT,
            recorded_how=RecordedHow.EACH_TIME, retention_end=D("2029-11-20"), created_on=D(TODAY),
        )
        for day in range(1000)
    )  # fmt: skip
    case = case_in(
        Status.RECEIVED,
        desk_user,
        policies[LEVERAGES],
        reached_on=D(TODAY),
        kinds=("third_party_record_disclosure",),
        subject=subject_data(family_name="佐藤", given_name="健", member_id="LV-100234", email="other@example.jp"),
    )
    actor = type(desk_user).objects.get(pk=desk_user.pk)  # nothing cached
    subject = DataSubject.objects.get(pk=case.data_subject_id)

    with django_assert_max_num_queries(5):
        held = what_we_hold(actor=actor, data_subject=subject)

    assert len(held.provided) == 1000 and len(held.consents) == 1
    assert [(p.pk, why) for p, why in held.people] == [(person.pk, "member_id")]


@pytest.mark.parametrize(
    ("written_on_the_form", "found"),
    [
        ({"member_id": "ＬＶ-100234", "email": ""}, True),  # full-width member ID
        ({"member_id": "", "email": "", "birth_date": D("1990-05-12"), "given_name": "健 "}, True),
        ({"member_id": "", "email": "KEN.SATO@example.jp"}, True),  # e-mail and family name
        ({"member_id": "", "email": "ken.sato@example.jp", "family_name": "加藤"}, False),  # same e-mail, another name
        ({"member_id": "", "email": "", "birth_date": D("1990-05-13")}, False),  # another birthday
        ({"member_id": "LV-999999", "email": ""}, False),
        ({"member_id": "", "given_name": ""}, False),  # 佐藤 with the family's e-mail: which 佐藤?
        ({"member_id": "", "family_name": "佐藤 健", "given_name": ""}, True),  # the name in one field
        (
            {
                "member_id": "",
                "family_name": "さとう",
                "given_name": "けん",
                "email": "",
                "birth_date": D("1990-05-12"),
            },
            False,
        ),
    ],
)
def test_who_is_the_same_person(leverages, desk_user, policies, written_on_the_form, found):
    """Only a member ID, a name with the date of birth, or an e-mail with the family name make two
    people the same; a shared e-mail alone does not (family members share addresses)."""
    person = on_record(desk_user, leverages, birth_date=D("1990-05-12"))
    consented(desk_user, person)
    case = case_in(
        Status.RECEIVED,
        desk_user,
        policies[LEVERAGES],
        reached_on=D(TODAY),
        subject=subject_data(**{**SATO, **written_on_the_form}),
    )
    held = what_we_hold(actor=desk_user, data_subject=case.data_subject)
    assert bool(held.consents) is found


def test_a_granted_suspension_stops_provision_for_the_person_on_record(leverages, desk_user, policies):
    """Art. 35-3/35-4: the stop is kept on the person on record (it outlives the case's retention);
    a provision recorded later against them is refused, naming the case."""
    person = on_record(desk_user, leverages)
    consented(desk_user, person)
    case = case_in(
        Status.RESPONDING,
        desk_user,
        policies[LEVERAGES],
        reached_on=D(TODAY),
        subject=subject_data(**SATO),
        documents=[document_data(DocumentKind.PASSPORT)],
        items=[{"kind": "suspension_of_provision", "recipient": AGENCY}],
        decisions={"suspension_of_provision": {"outcome": "comply", "ground": "harm_to_rights"}},
    )

    stop = ProvisionStop.objects.get()
    assert (stop.data_subject_id, stop.case_id) == (person.pk, case.pk)
    consent = Consent.objects.get()
    assert (consent.withdrawn_by_case_id, consent.history.latest().history_user) == (case.pk, desk_user)
    with pytest.raises(TransitionNotAllowed, match=case.reference):
        provided(desk_user, person, provided_on=TODAY)


def test_the_case_history_shows_the_consent_withdrawn_and_the_stop(client, leverages, desk_user, policies):
    person = on_record(desk_user, leverages)
    consented(desk_user, person)
    case = case_in(
        Status.RESPONDING,
        desk_user,
        policies[LEVERAGES],
        reached_on=D(TODAY),
        subject=subject_data(**SATO),
        documents=[document_data(DocumentKind.PASSPORT)],
        items=[{"kind": "suspension_of_provision", "recipient": AGENCY}],
        decisions={"suspension_of_provision": {"outcome": "comply", "ground": "harm_to_rights"}},
    )
    client.force_login(desk_user)
    timeline = client.get(f"/admin/requests_app/request/{case.pk}/history/").text
    # Consent withdrawn (the operation), the stop (the record type), the recipient, by whom.
    assert "同意の撤回" in timeline and "提供の停止" in timeline and AGENCY in timeline
    assert desk_user.get_full_name() in timeline or desk_user.username in timeline


def test_a_suspension_naming_an_opt_out_recipient_stops_that_opt_out(travel, desk_user, policies):
    """Art. 27-2 / SPEC §11: a person's request to stop an opt-out provision is handled like a
    suspension; the stop names the opt-out provision, and provision under it is refused."""
    travel(TODAY)
    juo = policies[JUO].organization
    opt_out = OptOutProvision.objects.create(
        organization=juo, recipient="提携求人広告事業者", items="氏名", method="電子ファイル", how_to_stop="メール"
    )
    case = case_in(
        Status.RESPONDING,
        desk_user,
        policies[JUO],
        reached_on=D(TODAY),
        subject=subject_data(member_id="JU-1"),
        documents=[document_data(DocumentKind.PASSPORT)],
        items=[{"kind": "suspension_of_provision", "recipient": "提携求人広告事業者"}],
        decisions={"suspension_of_provision": {"outcome": "comply", "ground": "harm_to_rights"}},
    )
    stop = ProvisionStop.objects.get()
    assert (stop.opt_out, stop.case) == (opt_out, case)
    with pytest.raises(TransitionNotAllowed):
        services.provision_record(
            actor=desk_user, data_subject=stop.data_subject, counterparty="提携求人広告事業者", items="氏名",
            provided_on=D(TODAY), basis=Basis.OPT_OUT, opt_out=opt_out, recorded_how=RecordedHow.BULK,
        )  # fmt: skip


# ------------------------------------------------------------------------------------------
# Entry pages
# ------------------------------------------------------------------------------------------
def consent_form(organization, **overrides):
    return {
        "organization": organization.pk,
        **SATO,
        "birth_date": "",
        "scope": "third_party",
        "recipient": AGENCY,
        "items": "氏名、職務経歴",
        "given_on": "2026-04-10",
        "method": "申込画面での同意",
        **overrides,
    }


def test_the_desk_records_and_withdraws_a_consent_and_history_says_who(client, leverages, desk_user):
    client.force_login(desk_user)
    response = client.post("/admin/consents/consent/add/", consent_form(leverages), follow=True)
    assert response.status_code == 200 and "同意を記録しました" in response.text
    consent = Consent.objects.get()
    assert consent.data_subject.requests.count() == 0 and consent.data_subject.member_id == "LV-100234"

    page = client.get(f"/admin/consents/consent/{consent.pk}/change/")
    assert "撤回" in page.text
    response = client.post(
        f"/admin/consents/consent/{consent.pk}/withdraw/",
        {"on": "2026-11-19", "method": "電話", "note": "本人から電話"},
        follow=True,
    )
    assert response.redirect_chain, (response.status_code, response.text[:3000])
    consent.refresh_from_db()
    assert consent.withdrawn_on == D("2026-11-19")
    row = consent.history.latest()
    assert (row.history_user, row.history_operation, row.history_change_reason) == (
        desk_user,
        "withdraw_consent",
        "本人から電話",
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"scope": "foreign", "country": ""}, "unknown_reason", "28"),
        ({"recipient": ""}, "recipient", "提供先"),
        ({"given_on": "2027-01-01"}, "given_on", "未来"),
        ({"member_id": "", "email": ""}, "member_id", "会員ID"),
        ({"items": "マイナンバー 1234 5678 9012"}, "items", "12桁"),
    ],
)
def test_a_refused_consent_keeps_what_was_typed_and_saves_no_one(
    client, leverages, desk_user, overrides, field, message
):
    """Bad input: the message is beside the field, the form keeps the input, no person on record
    is left behind."""
    client.force_login(desk_user)
    response = client.post("/admin/consents/consent/add/", consent_form(leverages, **overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field]), errors
    assert AGENCY in response.text or overrides.get("recipient") == ""
    assert not Consent.objects.exists() and not DataSubject.objects.exists()


def test_a_provision_after_a_stop_is_refused_on_the_page(client, leverages, desk_user):
    person = on_record(desk_user, leverages)
    consented(desk_user, person)
    services.provision_suspend(actor=desk_user, data_subject=person, recipient=AGENCY, on=D("2026-11-01"))
    client.force_login(desk_user)
    data = {
        "organization": leverages.pk,
        **SATO,
        "direction": "provided",
        "counterparty": AGENCY,
        "items": "氏名",
        "provided_on": "2026-11-19",
        "basis": "consent",
        "recorded_how": "each_time",
    }
    response = client.post("/admin/consents/provisionrecord/add/", data)
    assert "counterparty" in response.context["form"].errors
    assert "停止" in " ".join(response.context["form"].errors["counterparty"])
    assert not ProvisionRecord.objects.exists()

    data.update(counterparty="株式会社ほか", basis="other", no_record_ground="entrustment")
    response = client.post("/admin/consents/provisionrecord/add/", data)
    assert "no_record_ground" in response.context["form"].errors
    data.update(no_record_ground="")
    response = client.post("/admin/consents/provisionrecord/add/", data, follow=True)
    assert ProvisionRecord.objects.get().counterparty == "株式会社ほか"


def test_an_opt_out_stop_is_recorded_for_a_person(client, travel, desk_user, policies):
    travel(TODAY)
    juo = policies[JUO].organization
    opt_out = OptOutProvision.objects.create(
        organization=juo, recipient="提携求人広告事業者", items="氏名", method="電子ファイル", how_to_stop="メール"
    )
    client.force_login(desk_user)
    response = client.post(
        "/admin/consents/provisionstop/add/",
        {"organization": juo.pk, "family_name": "鈴木", "member_id": "JU-55012", "opt_out": opt_out.pk, "on": TODAY},
        follow=True,
    )
    assert response.status_code == 200
    stop = ProvisionStop.objects.get()
    assert (stop.opt_out, stop.data_subject.member_id, stop.since) == (opt_out, "JU-55012", D(TODAY))


# ------------------------------------------------------------------------------------------
# CSV import and export
# ------------------------------------------------------------------------------------------
HEADER = "direction,family_name,given_name,member_id,counterparty,items,provided_on,basis,recorded_how,consent_given_on,consent_method,provider_obtained_how\n"  # noqa: E501


def upload(client, organization, text, encoding="utf-8", name="records.csv"):
    return client.post(
        "/admin/consents/provisionrecord/import/",
        {"organization": organization.pk, "file": SimpleUploadedFile(name, text.encode(encoding), "text/csv")},
        follow=True,
    )


def test_an_import_writes_every_row(client, leverages, desk_user):
    """Rows from another system: people found or added, consents recorded with the provision,
    dates in any usual spelling, Shift_JIS as Japanese Excel saves it."""
    client.force_login(desk_user)
    text = (
        HEADER
        + f"提供,佐藤,健,LV-100234,{AGENCY},氏名,2026/05/20,同意,都度,2026年4月10日,申込画面,\n"
        + f"provided,佐藤,健,LV-100234,{AGENCY},職務経歴,２０２６-０６-０１,consent,each_time,,,\n"
        + "受領,千葉,優,LV-100871,株式会社キャリア調査,氏名,2026-03-01,,bulk,,,本人が登録フォームで同意\n"
    )
    response = upload(client, leverages, text, encoding="cp932")
    assert "3件の記録を取り込みました" in response.text
    assert ProvisionRecord.objects.count() == 3 and Consent.objects.count() == 1
    assert DataSubject.objects.count() == 2
    assert ProvisionRecord.history.filter(history_change_reason__contains="records.csv").count() == 3


def test_an_import_with_bad_rows_imports_nothing_and_names_each(client, leverages, desk_user):
    """One bad row imports nothing; the page names the row (as the spreadsheet numbers it) and the
    column of every problem."""
    person = on_record(desk_user, leverages)
    consented(desk_user, person)
    services.provision_suspend(actor=desk_user, data_subject=person, recipient=AGENCY, on=D("2026-10-01"))
    client.force_login(desk_user)
    text = (
        HEADER
        + "provided,田中,一郎,LV-1,株式会社B,氏名,2026-05-20,other,each_time,,,\n"  # row 2: fine
        + "provided,田中,一郎,LV-1,株式会社B,氏名,2026-02-30,other,each_time,,,\n"  # row 3: no such day
        + f"provided,佐藤,健,LV-100234,{AGENCY},氏名,2026-11-01,consent,each_time,,,\n"  # row 4: stopped
        + "provided,山本,,LV-2,株式会社C,氏名,2026-05-20,consent,each_time,,,\n"  # row 5: no consent
        + "sideways,山本,,LV-2,株式会社C,氏名,2026-05-20,other,each_time,,,\n"  # row 6: direction
        + "received,山本,,LV-2,株式会社C,氏名,2026-05-20,,each_time,,,\n"  # row 7: how obtained
    )
    response = upload(client, leverages, text)
    errors = [(row, column) for row, column, _message in response.context["import_errors"]]
    assert errors == [
        (3, "provided_on"),
        (4, "counterparty"),
        (5, "basis"),
        (6, "direction"),
        (7, "provider_obtained_how"),
    ]
    assert "取り込みませんでした" in response.text
    assert ProvisionRecord.objects.count() == 0
    assert DataSubject.objects.count() == 1  # the people of the good rows are not kept either


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "空"),
        ("direction,family_name\n", "counterparty"),
        (HEADER.replace("items", "itemz"), "itemz"),
        (HEADER, "行がありません"),
        ("\x82\xa0".join(["a", "b"]), "direction"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(client, leverages, desk_user, text, message):
    client.force_login(desk_user)
    response = client.post(
        "/admin/consents/provisionrecord/import/",
        {"organization": leverages.pk, "file": SimpleUploadedFile("x.csv", text.encode("latin-1"), "text/csv")},
    )
    assert message in " ".join(response.context["form"].errors.get("file", [])), response.context["form"].errors
    assert not ProvisionRecord.objects.exists()


def test_exports_neutralise_formulas_and_import_again(client, leverages, desk_user):
    """Every cell starting with = + - @ (or a tab, a carriage return, their full-width forms) is
    written as text; a file exported here can be imported again as it is."""
    person = on_record(desk_user, leverages, family_name='=HYPERLINK("http://x")')
    services.provision_record(
        actor=desk_user, data_subject=person, counterparty="@SUM(A1)", items="-氏名", provided_on=D("2026-05-20"),
        basis=Basis.OTHER, recorded_how=RecordedHow.EACH_TIME, counterparty_address="+81 3 0000",
    )  # fmt: skip
    client.force_login(desk_user)
    body = exported(client, "/admin/consents/provisionrecord/export.csv").decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    for row in rows:
        assert not any(cell.startswith(FORMULA_STARTS) for cell in row), row
    assert '\'=HYPERLINK("http://x")' in rows[1] and "'@SUM(A1)" in rows[1] and "'-氏名" in rows[1]
    assert AccessLog.objects.filter(user=desk_user, kind="records_export").exists()

    ProvisionRecord.objects.all().delete()
    response = upload(client, leverages, body)
    assert "1件の記録を取り込みました" in response.text
    assert ProvisionRecord.objects.get().counterparty == "@SUM(A1)"

    consent = consented(desk_user, person, recipient="+SUM(1)")
    assert consent.recipient.startswith(FORMULA_STARTS)
    body = exported(client, "/admin/consents/consent/export.csv").decode("utf-8")
    assert "'+SUM(1)" in body


def test_the_audit_trail_export_is_formula_safe(client, leverages, desk_user, manager_user):
    person = on_record(desk_user, leverages, family_name="=1+1")
    consented(desk_user, person, recipient="=cmd|' /C calc'!A0")
    client.force_login(manager_user)
    body = exported(client, "/admin/audit/export.csv").decode("utf-8")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert len(rows) > 2
    for row in rows:
        assert not any(cell.startswith(FORMULA_STARTS) for cell in row), row


# ------------------------------------------------------------------------------------------
# Filters, search, scoping
# ------------------------------------------------------------------------------------------
def test_filters_and_search_by_person(client, leverages, desk_user):
    sato = on_record(desk_user, leverages)
    chiba = on_record(desk_user, leverages, family_name="千葉", given_name="優", member_id="LV-100871", email="")
    consented(desk_user, sato)
    kept = provided(desk_user, sato)  # kept until 2029-11-20
    services.provision_record(
        actor=desk_user,
        data_subject=chiba,
        counterparty="株式会社B",
        items="氏名",
        provided_on=D("2025-12-01"),
        basis=Basis.OTHER,
        recorded_how=RecordedHow.CONTRACT,
    )  # fmt: skip  -- kept until 2026-12-01: ends within 30 days
    client.force_login(desk_user)

    def listed(query):
        return {r.pk for r in client.get(f"/admin/consents/provisionrecord/?{query}").context["cl"].result_list}

    assert listed("retention_within=30") == {ProvisionRecord.objects.get(counterparty="株式会社B").pk}
    assert listed("retention_within=3650") == set(ProvisionRecord.objects.values_list("pk", flat=True))
    response = client.get("/admin/consents/provisionrecord/?retention_within=abc", follow=True)
    assert "1から3650" in response.text and not list(response.context["cl"].result_list)
    assert listed("q=佐藤") == {kept.pk}
    assert listed(f"counterparty={AGENCY}") == {kept.pk}
    assert listed(f"organization={leverages.pk}") == set(ProvisionRecord.objects.values_list("pk", flat=True))

    consents = client.get("/admin/consents/consent/?withdrawn=no").context["cl"].result_list
    assert len(consents) == 1
    assert not client.get("/admin/consents/consent/?withdrawn=yes").context["cl"].result_list
    assert not client.get("/admin/consents/consent/?foreign=yes").context["cl"].result_list


def test_another_organization_reaches_no_page(client, leverages, desk_user, other_org_user):
    person = on_record(desk_user, leverages)
    consent = consented(desk_user, person)
    provided(desk_user, person)
    client.force_login(other_org_user)
    assert client.get(f"/admin/consents/consent/{consent.pk}/withdraw/").status_code == 404
    withdraw = f"/admin/consents/consent/{consent.pk}/withdraw/"
    assert client.post(withdraw, {"on": TODAY, "method": "x"}).status_code == 404
    page = client.get("/admin/consents/consent/add/")
    assert list(page.context["form"].fields["organization"].queryset) == list(other_org_user.organizations.all())
    response = client.post("/admin/consents/consent/add/", consent_form(leverages))
    assert "organization" in response.context["form"].errors
    response = upload(client, leverages, HEADER + "provided,X,,1,B,氏名,2026-05-20,other,each_time,,,\n")
    assert "organization" in response.context["form"].errors
    body = exported(client, "/admin/consents/provisionrecord/export.csv").decode("utf-8")
    assert body.count("\n") == 1  # the header only
    assert Consent.objects.filter(withdrawn_on__isnull=True).count() == 1 and ProvisionRecord.objects.count() == 1


def test_auditors_read_but_record_nothing(client, leverages, desk_user, auditor_user):
    consent = consented(desk_user, on_record(desk_user, leverages))
    client.force_login(auditor_user)
    assert client.get("/admin/consents/consent/").status_code == 200
    assert client.get("/admin/consents/consent/add/").status_code == 403
    assert client.get("/admin/consents/provisionrecord/import/").status_code == 403
    withdraw = f"/admin/consents/consent/{consent.pk}/withdraw/"
    assert client.post(withdraw, {"on": TODAY, "method": "x"}).status_code == 403


# ------------------------------------------------------------------------------------------
# The nightly purge
# ------------------------------------------------------------------------------------------
def test_the_nightly_purge_erases_expired_records_and_the_trail_shows_it(client, leverages, desk_user, manager_user):
    """PPC Rules Art. 21: beat runs the purge every night; the erasure is in the audit trail, the
    items are blanked in the record's history."""
    entry = settings.CELERY_BEAT_SCHEDULE["purge-records"]
    assert entry["task"] == "consents.records_purge"
    person = on_record(desk_user, leverages)
    services.provision_record(
        actor=desk_user,
        data_subject=person,
        counterparty="株式会社B",
        items="氏名、職務経歴",
        provided_on=D("2025-12-01"),
        basis=Basis.OTHER,
        recorded_how=RecordedHow.CONTRACT,
    )  # fmt: skip  -- kept until 2026-12-01

    assert tasks.records_purge.apply(kwargs={"today": "2026-12-01"}).get() == 0
    assert tasks.records_purge.apply(kwargs={"today": "2026-12-02"}).get() == 1
    assert tasks.records_purge.apply(kwargs={"today": "2026-12-02"}).get() == 0
    assert not ProvisionRecord.objects.exists()
    assert set(ProvisionRecord.history.values_list("items", flat=True)) == {""}
    client.force_login(manager_user)
    trail = client.get("/admin/audit/?record_type=provision_record")
    assert "保存期間の満了" in trail.text


def test_a_receipt_needs_no_basis_and_a_provision_does(client, leverages, desk_user):
    client.force_login(desk_user)
    data = {
        "organization": leverages.pk,
        **SATO,
        "direction": "provided",
        "counterparty": "株式会社キャリア調査",
        "items": "氏名、勤務先",
        "provided_on": "2026-11-01",
        "recorded_how": "each_time",
    }
    response = client.post("/admin/consents/provisionrecord/add/", data)
    assert "basis" in response.context["form"].errors
    data.update(direction="received", provider_obtained_how="本人が登録フォームで同意")
    response = client.post("/admin/consents/provisionrecord/add/", data, follow=True)
    assert ProvisionRecord.objects.get().direction == "received"


def test_an_export_with_filters_it_cannot_read_says_so(client, leverages, desk_user):
    client.force_login(desk_user)
    response = client.post("/admin/consents/provisionrecord/export.csv?bogus__field=1", follow=True)
    assert response.status_code == 200
    assert "何も出力していません" in response.text


def test_the_import_command_takes_a_large_file_all_or_nothing(tmp_path, leverages, desk_user):
    """Past the page's 2,000 rows, the command imports with the same checks; a bad row imports
    nothing and is named on stderr."""
    from django.core.management import CommandError, call_command

    lines = [f"provided,山田,,M-{i},株式会社B,氏名,2026-05-{1 + i % 28:02d},other,each_time,,,\n" for i in range(2001)]
    path = tmp_path / "records.csv"
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    out = io.StringIO()
    call_command("import_provision_records", "leverages", str(path), "--user", desk_user.username, stdout=out)
    assert "2001 record(s) imported" in out.getvalue() and ProvisionRecord.objects.count() == 2001

    path.write_text(HEADER + "provided,山田,,M-X,株式会社C,氏名,2026-05-40,other,each_time,,,\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_provision_records", "leverages", str(path), "--user", desk_user.username, stderr=err)
    assert "row 2, provided_on" in err.getvalue()
    assert ProvisionRecord.objects.count() == 2001


# ------------------------------------------------------------------------------------------
# The wrong person, the recipient written another way, duplicates (found by attacking the pages)
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "written_on_the_form",
    [
        {"given_name": "花子", "member_id": "", "birth_date": D("1992-01-01")},  # the family's e-mail
        {"given_name": "花子", "member_id": ""},
        {"member_id": "LV-555555", "birth_date": D("1990-05-12")},  # another member ID
        {"member_id": "", "email": "", "birth_date": D("1990-05-12"), "family_name": "佐藤", "given_name": "健二"},
        {"member_id": "LV-100234", "birth_date": D("1991-01-01")},  # the ID, another birthday
    ],
)
def test_an_identifier_that_differs_means_another_person(leverages, desk_user, policies, written_on_the_form):
    """Nothing of 佐藤 健 is shown, disclosed or withdrawn for a person whose member ID, date of
    birth or given name differs from his, whatever else they share."""
    person = on_record(desk_user, leverages, birth_date=D("1990-05-12"))
    consented(desk_user, person)
    case = case_in(
        Status.RECEIVED,
        desk_user,
        policies[LEVERAGES],
        reached_on=D(TODAY),
        subject=subject_data(**{**SATO, **written_on_the_form}),
    )
    held = what_we_hold(actor=desk_user, data_subject=case.data_subject)
    assert held.consents == [] and held.people == []
    services.provision_suspend(actor=desk_user, data_subject=case.data_subject, recipient=AGENCY, on=D(TODAY))
    assert Consent.objects.get().withdrawn_on is None


def test_recording_for_a_member_id_held_by_someone_else_asks_to_check(leverages, desk_user):
    on_record(desk_user, leverages, birth_date=D("1990-05-12"))
    with pytest.raises(ValidationError) as refused:
        on_record(desk_user, leverages, family_name="千葉", given_name="優", birth_date=None, email="")
    assert {"given_name", "family_name"} & set(refused.value.message_dict) and "LV-100234" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        on_record(desk_user, leverages, birth_date=D("2030-01-01"), member_id="LV-9")
    assert "birth_date" in refused.value.message_dict
    assert DataSubject.objects.count() == 1


@pytest.mark.parametrize(
    "member_id",
    [
        "LV 100234",
        "ＬＶ－１００２３４",
        "lv100234",
        " LV-100234 ",
        "LV‐100234",
        "LVー100234",
        "LV・100234",
        "LV.100234",
    ],
)
def test_a_member_id_written_another_way_finds_the_person(leverages, desk_user, policies, member_id):
    person = on_record(desk_user, leverages)
    consented(desk_user, person)
    case = case_in(
        Status.RECEIVED,
        desk_user,
        policies[LEVERAGES],
        reached_on=D(TODAY),
        subject=subject_data(family_name="佐藤", given_name="健", member_id=member_id, email=""),
    )
    assert len(what_we_hold(actor=desk_user, data_subject=case.data_subject).consents) == 1
    assert on_record(desk_user, leverages, member_id=member_id) == person


@pytest.mark.parametrize(
    "written",
    [
        "株式会社 みらい人材エージェント",
        "株式会社　みらい人材エージェント",
        "（株）みらい人材エージェント",
        "(株)みらい人材エージェント",
        "㈱みらい人材エージェント",
        "株式会社みらい人材エージェント ",
        "みらい人材エージェント株式会社",
        "みらい人材エージェント",
        "ミライ人材エージェント",
        "株式会社みらい・人材エージェント",
        "株式会社みらい人材\u200bエージェント",
        "みらい人材エージェント御中",
    ],
)
def test_a_stop_holds_however_the_recipient_is_written(leverages, desk_user, written):
    """Art. 35-4: the stop is about the recipient, not about how a name was typed."""
    person = on_record(desk_user, leverages)
    consented(desk_user, person)
    services.provision_suspend(actor=desk_user, data_subject=person, recipient=AGENCY, on=D("2026-11-01"))
    with pytest.raises(TransitionNotAllowed):
        provided(desk_user, person, recipient=written, provided_on=TODAY, basis=Basis.OTHER)
    assert not ProvisionRecord.objects.exists()


def test_a_stopped_opt_out_refuses_every_provision_under_it(travel, desk_user, policies, manager_user):
    """Art. 27-2: once the person stopped it, nothing is provided under that opt-out provision —
    whatever the recipient is called, even after the provision is renamed."""
    travel(TODAY)
    juo = policies[JUO].organization
    opt_out = OptOutProvision.objects.create(
        organization=juo, recipient="提携求人広告事業者", items="氏名", method="電子ファイル", how_to_stop="メール"
    )
    person = services.person_on_record(
        actor=desk_user, organization_id=juo.pk, identity={"family_name": "鈴木", "member_id": "JU-1"}
    )
    services.opt_out_stop(actor=desk_user, opt_out=opt_out, data_subject=person, on=D("2026-11-01"))
    opt_out.recipient = "株式会社求人広告A"
    opt_out.save()
    for counterparty in ("提携求人広告事業者", "株式会社求人広告A", "ＣａｒｅｅｒＭｏｄｅｌ"):
        with pytest.raises(TransitionNotAllowed):
            services.provision_record(
                actor=desk_user, data_subject=person, counterparty=counterparty, items="氏名",
                provided_on=D(TODAY), basis=Basis.OPT_OUT, opt_out=opt_out, recorded_how=RecordedHow.BULK,
            )  # fmt: skip


def test_a_second_identical_submission_records_nothing(client, leverages, desk_user):
    client.force_login(desk_user)
    client.post("/admin/consents/consent/add/", consent_form(leverages), follow=True)
    response = client.post("/admin/consents/consent/add/", consent_form(leverages))
    assert "既に" in " ".join(response.context["form"].non_field_errors())
    assert Consent.objects.count() == 1
    person = Consent.objects.get().data_subject
    provided(desk_user, person)
    with pytest.raises(ValidationError) as refused:
        provided(desk_user, person, recipient=f"{AGENCY} ")
    assert "provided_on" in refused.value.message_dict
    assert ProvisionRecord.objects.count() == 1


def test_a_consent_is_not_withdrawn_before_a_provision_made_on_it(leverages, desk_user):
    person = on_record(desk_user, leverages)
    consent = consented(desk_user, person)
    provided(desk_user, person, provided_on="2026-07-03")
    with pytest.raises(ValidationError) as refused:
        services.consent_withdraw(actor=desk_user, consent=consent, on=D("2026-06-01"), method="電話")
    assert "2026-07-03" in str(refused.value)
    services.consent_withdraw(actor=desk_user, consent=consent, on=D("2026-07-03"), method="電話")


@pytest.mark.parametrize(
    ("content", "encoding", "message"),
    [
        (HEADER + "provided,山\x00田,,1,株式会社B,氏名,2026-05-20,other,each_time,,,\n", "utf-8", "制御文字"),
        (HEADER + "provided,山田,,1,株式会社B," + "あ" * 140_000 + ",2026-05-20,other,each_time,,,\n", "utf-8", "行目"),
        (HEADER + 'provided,"山田,,1,株式会社B,氏名,2026-05-20,other,each_time,,,\n', "utf-8", "引用符"),
        (HEADER + "provided,山田,,1,株式会社B,氏名,2026-05-20,other,each_time,,,\n", "utf-16", "1件の記録"),
        (HEADER + "provided,山田,,1,株式会社B,氏名,0001-01-01,other,each_time,,,\n", "utf-8", "日付ではありません"),
    ],
)
def test_every_malformed_file_gets_a_message_not_an_error_page(
    client, leverages, desk_user, content, encoding, message
):
    client.force_login(desk_user)
    response = upload(client, leverages, content, encoding=encoding)
    assert response.status_code == 200 and message in response.text
    assert ProvisionRecord.objects.count() == (1 if "1件" in message else 0)


def test_each_problem_of_a_row_is_named(client, leverages, desk_user):
    client.force_login(desk_user)
    text = (
        HEADER
        + "provided,山田,,1,株式会社B,マイナンバー123456789012,2026-05-40,other,each_time,,,\n"
        + "received,,,2,株式会社C,氏名,2026-05-20,,each_time,,,\n"
        + "provided,山本,,3,株式会社D,氏名,2026-05-20,consent,each_time,2026-06-01,申込画面,\n"
    )
    response = upload(client, leverages, text)
    errors = [(row, column) for row, column, _message in response.context["import_errors"]]
    assert errors == [
        (2, "items"),
        (2, "provided_on"),
        (3, "family_name"),
        (3, "provider_obtained_how"),
        (4, "consent_given_on"),
    ]


def test_a_file_name_with_a_12_digit_number_stays_out_of_history(client, leverages, desk_user):
    client.force_login(desk_user)
    upload(client, leverages, HEADER + "provided,山田,,1,株式会社B,氏名,2026-05-20,other,each_time,,,\n",
           name="マイナンバー1234-5678-9012一覧.csv")  # fmt: skip
    notes = list(ProvisionRecord.history.values_list("history_change_reason", flat=True))
    assert notes and not any("1234" in note for note in notes)


def test_odd_addresses_get_404_or_the_whole_list(client, leverages, desk_user, manager_user):
    consented(desk_user, on_record(desk_user, leverages))
    client.force_login(desk_user)
    for bad in ("abc", "%2Fx", "99999"):
        assert client.get(f"/admin/consents/consent/{bad}/withdraw/").status_code == 404
    assert "みらい" in exported(client, "/admin/consents/consent/export.csv?p=99999").decode()
    client.force_login(manager_user)
    response = client.post(
        "/admin/consents/purposeofuse/add/",
        {
            "organization": leverages.pk,
            "category": "members",
            "text": "求人紹介のため",
            "order": 0,
            "effective_from": "2026-01-01",
            "effective_until": "2025-01-01",
            "change_reason": "方針改定",
        },
    )
    assert "effective_until" in response.context["adminform"].form.errors


def test_a_past_provision_is_recorded_on_the_consent_in_force_that_day(leverages, desk_user):
    """Art. 29: a provision made while the consent was in force is recorded after its withdrawal."""
    person = on_record(desk_user, leverages)
    consent = consented(desk_user, person)
    services.consent_withdraw(actor=desk_user, consent=consent, on=D("2026-11-19"), method="電話")
    record = provided(desk_user, person, provided_on="2026-11-10")
    assert record.consent == consent
    with pytest.raises(TransitionNotAllowed):
        provided(desk_user, person, provided_on="2026-11-19")


def test_an_opt_out_record_names_the_opt_out_recipient(travel, desk_user, policies):
    travel(TODAY)
    juo = policies[JUO].organization
    opt_out = OptOutProvision.objects.create(
        organization=juo, recipient="提携求人広告事業者", items="氏名", method="電子ファイル", how_to_stop="メール"
    )
    person = services.person_on_record(
        actor=desk_user, organization_id=juo.pk, identity={"family_name": "鈴木", "member_id": "JU-1"}
    )
    with pytest.raises(TransitionNotAllowed, match="提携求人広告事業者"):
        services.provision_record(
            actor=desk_user, data_subject=person, counterparty="株式会社別会社", items="氏名",
            provided_on=D(TODAY), basis=Basis.OPT_OUT, opt_out=opt_out, recorded_how=RecordedHow.BULK,
        )  # fmt: skip


def test_a_member_id_with_another_family_name_and_no_given_name_is_not_him(leverages, desk_user):
    on_record(desk_user, leverages, birth_date=D("1990-05-12"))
    with pytest.raises(ValidationError, match="LV-100234"):
        on_record(desk_user, leverages, family_name="田中", given_name="", email="taro@example.jp")
    # A new family name (marriage) with the same given name and birthday is the same person.
    assert on_record(desk_user, leverages, family_name="鈴木", birth_date=D("1990-05-12")).family_name == "佐藤"


def test_an_export_imports_again_into_its_organization_and_no_other(client, leverages, desk_user, policies):
    person = on_record(desk_user, leverages)
    consented(desk_user, person)
    provided(desk_user, person)
    client.force_login(desk_user)
    body = exported(client, "/admin/consents/provisionrecord/export.csv").decode()
    assert "2026-04-10" in body  # the consent's date travels with the record
    ProvisionRecord.objects.all().delete()
    assert "1件の記録を取り込みました" in upload(client, leverages, body).text
    assert Consent.objects.count() == 1  # the consent on file is used, not doubled
    ProvisionRecord.objects.all().delete()
    response = upload(client, policies[JUO].organization, body)
    assert [column for _row, column, _m in response.context["import_errors"]] == ["organization"]


def test_record_pages_name_the_person(client, leverages, desk_user):
    consent = consented(desk_user, on_record(desk_user, leverages))
    client.force_login(desk_user)
    page = client.get(f"/admin/consents/consent/{consent.pk}/change/").text
    assert "佐藤 健 (LV-100234)" in page and "DS-" not in page


def test_columns_may_be_named_in_japanese(client, leverages, desk_user):
    client.force_login(desk_user)
    text = "区分,姓,名,会員ID,相手方,項目,提供日,根拠,記録の方法\n"
    text += "提供,山田,一郎,M-1,株式会社B,氏名,2026/05/20,その他,都度\n"
    assert "1件の記録を取り込みました" in upload(client, leverages, text, encoding="cp932").text


def test_dates_typed_with_slashes_are_read_in_japanese(client, leverages, manager_user):
    client.force_login(manager_user)
    client.post(
        "/admin/consents/purposeofuse/add/",
        {"organization": leverages.pk, "category": "members", "text": "求人紹介のため", "order": 0,
         "effective_from": "2026/12/01", "change_reason": "方針改定"},
    )  # fmt: skip
    from consents.models import PurposeOfUse

    assert PurposeOfUse.objects.get(text="求人紹介のため").effective_from == D("2026-12-01")


def test_a_consent_form_reports_every_problem_at_once(client, leverages, desk_user):
    client.force_login(desk_user)
    response = client.post(
        "/admin/consents/consent/add/", consent_form(leverages, scope="foreign", given_on="2027-01-01")
    )
    assert {"given_on", "unknown_reason"} <= set(response.context["form"].errors)
    from consents.models import PurposeOfUse

    PurposeOfUse.objects.create(
        organization=leverages, category="members", text="求人紹介のため", effective_from=D("2025-05-27")
    )
    page = client.get("/admin/consents/consent/add/").text
    assert "leverages / " in page and "求人紹介のため" in page  # purposes named with their organization


def test_a_suspension_the_desk_cannot_link_is_said_on_the_case_page(client, leverages, desk_user, policies):
    """His member ID with another birthday: the decisions go through, nothing of his is withdrawn,
    and the case page says the stop is not linked to a person on record, with a way to record it."""
    person = on_record(desk_user, leverages, birth_date=D("1990-05-12"))
    consented(desk_user, person)
    case = case_in(
        Status.RESPONDING,
        desk_user,
        policies[LEVERAGES],
        reached_on=D(TODAY),
        subject=subject_data(**{**SATO, "birth_date": D("1991-01-01")}),
        documents=[document_data(DocumentKind.PASSPORT)],
        items=[{"kind": "suspension_of_provision", "recipient": AGENCY}],
        decisions={"suspension_of_provision": {"outcome": "comply", "ground": "harm_to_rights"}},
    )
    assert Consent.objects.get().withdrawn_on is None
    client.force_login(desk_user)
    page = client.get(f"/admin/requests_app/request/{case.pk}/change/").text
    assert "この案件の本人にのみ記録されています" in page and "/admin/consents/provisionstop/add/?" in page

    # The desk checks: it is him (the birthday on the form was wrong) and records the stop for him.
    response = client.post(
        "/admin/consents/provisionstop/add/",
        {"organization": leverages.pk, **SATO, "birth_date": "1990-05-12", "recipient": AGENCY,
         "case_reference": case.reference, "on": TODAY},
        follow=True,
    )  # fmt: skip
    assert response.status_code == 200
    consent = Consent.objects.get()
    assert (consent.withdrawn_by_case, ProvisionStop.objects.filter(data_subject=person).get().case) == (case, case)
    with pytest.raises(TransitionNotAllowed):
        provided(desk_user, person, provided_on=TODAY, basis=Basis.OTHER)


def test_a_renamed_opt_out_still_stops_provision_on_any_basis(travel, desk_user, policies):
    travel(TODAY)
    juo = policies[JUO].organization
    opt_out = OptOutProvision.objects.create(
        organization=juo, recipient="提携求人広告事業者", items="氏名", method="電子ファイル", how_to_stop="メール"
    )
    person = services.person_on_record(
        actor=desk_user, organization_id=juo.pk, identity={"family_name": "鈴木", "member_id": "JU-1"}
    )
    services.opt_out_stop(actor=desk_user, opt_out=opt_out, data_subject=person, on=D("2026-11-01"))
    opt_out.recipient = "株式会社求人広告A"
    opt_out.save()
    with pytest.raises(TransitionNotAllowed):
        services.provision_record(
            actor=desk_user, data_subject=person, counterparty="株式会社求人広告A", items="氏名",
            provided_on=D(TODAY), basis=Basis.OTHER, recorded_how=RecordedHow.EACH_TIME,
        )  # fmt: skip


def test_a_header_with_trailing_separators_is_read(client, leverages, desk_user):
    client.force_login(desk_user)
    text = HEADER.rstrip("\n") + ",,\n" + "provided,山田,,1,株式会社B,氏名,2026-05-20,other,each_time,,,,,\n"
    assert "1件の記録を取り込みました" in upload(client, leverages, text).text
