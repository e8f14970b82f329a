"""The audit trail (SPEC §12, issue 6): who changed or looked at what, when and why."""

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from consents import services as consent_services
from consents.models import OptOutProvision, PurposeOfUse
from privacyops.audit import registry
from privacyops.audit import trail as audit
from privacyops.audit.models import AccessLog
from privacyops.exports.models import Export
from requests_app import roles, services
from requests_app.models import (
    AgentProofRule,
    AgentType,
    DocumentKind,
    LetterTemplate,
    Organization,
    OrganizationClosedDay,
    PauseKind,
    PaymentMethod,
    PortalSettings,
    Status,
    TargetSystem,
)
from requests_app.seeds import COPRO, JUO
from tests.exports import content, made, trail_rows
from tests.factories import REFUSALS, DeskPolicyFactory, case_in, document_data, register

D = dt.date.fromisoformat
TRAIL = "/admin/audit/"
EXPORT = "/admin/audit/export.csv"


@pytest.fixture
def full_case(travel, desk_user, manager_user, policies):
    """SCENARIOS §1 from intake to a sent letter and a done task: every case record gets history."""
    travel("2026-12-24")

    def fee_paid_late(case):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from requests_app import document_files
        from tests.requests_app.test_document_files import pdf_bytes

        pdf = pdf_bytes()
        services.document_attach_file(
            actor=desk_user,
            document=case.documents.order_by("pk").first(),
            file=document_files.check_upload(SimpleUploadedFile("power-of-attorney.pdf", pdf)),
        )
        services.request_pause(actor=desk_user, case=case, kind=PauseKind.FEE_SHORTFALL, note="不足額300円")
        travel("2027-01-05")
        services.payment_record(
            actor=desk_user, case=case, method=PaymentMethod.POSTAL_MONEY_ORDER, amount=300, received_on=D("2027-01-05")
        )

    case = case_in(
        Status.RESPONDED,
        desk_user,
        policies[COPRO],
        kinds=("disclosure", "correction"),
        reached_on=D("2026-12-24"),
        agent={"agent_type": AgentType.ENTRUSTED, "family_name": "山田", "given_name": "一郎"},
        documents=[
            document_data(DocumentKind.POWER_OF_ATTORNEY),
            document_data(DocumentKind.SEAL_REGISTRATION_CERTIFICATE),
            document_data(DocumentKind.DRIVERS_LICENSE, holder="agent"),
        ],
        payments=[{"method": PaymentMethod.POSTAL_MONEY_ORDER, "amount": 200, "received_on": D("2026-12-24")}],
        at_intake=fee_paid_late,
        decisions={"disclosure": {**REFUSALS["disclosure"], "reason_text": "業務に著しい支障"}},
        approver=manager_user,
    )
    for task in case.tasks.all():
        services.task_complete(actor=desk_user, task=task, note="訂正済み")
    return case


def consents_records(desk_user, case):
    """One record of each consents model for the case's person, written as the desk would."""
    person, organization = case.data_subject, case.organization
    for obj in (
        PurposeOfUse(
            organization=organization, category="applicants", text="職業紹介のため", effective_from=D("2021-01-01")
        ),
        OptOutProvision(
            organization=organization, recipient="提携サイト", items="氏名", method="送信", how_to_stop="連絡"
        ),
    ):
        obj._history_user, obj._change_reason = desk_user, "設定"
        obj.save()
    consent_services.consent_give(
        actor=desk_user,
        data_subject=person,
        scope="third_party",
        recipient="株式会社A社",
        items="氏名",
        given_on=D("2026-12-01"),
        method="同意書",
    )
    consent_services.provision_record(
        actor=desk_user,
        data_subject=person,
        counterparty="株式会社A社",
        items="氏名",
        provided_on=D("2026-12-02"),
        basis="consent",
        recorded_how="each_time",
    )
    consent_services.provision_suspend(
        actor=desk_user, data_subject=person, recipient="株式会社A社", on=D("2027-01-05"), case=case
    )


def setup_changes(manager_user, seed_orgs, policies):
    """Changes to the desk's set-up, each with its user and reason, as the admin makes them."""
    organization = seed_orgs[COPRO]

    def save(obj, reason="設定変更"):
        obj._history_user, obj._change_reason = manager_user, reason
        obj.save()
        return obj

    organization.desk_hours = "平日9:00-17:30"
    save(organization)
    save(OrganizationClosedDay(organization=organization, date=D("2026-12-28"), note="臨時休業"))
    policy = policies[COPRO]
    policy.remind_verification_after = 3
    save(policy)
    save(
        AgentProofRule(
            policy=policy, agent_type=AgentType.ADULT_GUARDIAN, label="後見人の証明", document_kinds=["other"]
        )
    )
    save(TargetSystem(organization=organization, name="新CRM"))
    save(LetterTemplate(organization=organization, kind="acknowledgement", body="受領しました"))
    save(PortalSettings(organization=organization, intro="オンライン受付の案内"))
    manager_user.groups.add(Group.objects.get(name=roles.AUDITOR))


def portal_records(actor, case):
    """What the requester portal (issue 14) keeps on a case: the PIN issued, a file sent with the
    letter, the download link (as the services write them, with their user)."""
    from django.utils import timezone

    from requests_app.models import DeliveryLink, LetterEnclosure, PortalAccess

    for obj in (
        PortalAccess(request=case, pin_hash="!"),
        LetterEnclosure(
            letter=case.letters.first(),
            name="records.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
            storage_name="x.sealed",
            added_by=actor,
        ),
        DeliveryLink(response=case.responses.first(), token_hash="0" * 64, expires_at=timezone.now()),
    ):
        obj._history_user = actor
        obj.save()


def trail_entries(client, **params):
    response = client.get(TRAIL, params)
    assert response.status_code == 200
    return response.context["entries"], response


# ------------------------------------------------------------------------------------------
# Who may read it
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("desk", 403), ("manager", 200), ("auditor", 200)])
@pytest.mark.parametrize("url", [TRAIL, EXPORT])
def test_only_managers_and_auditors_read_the_trail(client, desk_user, manager_user, auditor_user, who, status, url):
    users = {"desk": desk_user, "manager": manager_user, "auditor": auditor_user}
    if who in users:
        client.force_login(users[who])

    # The export is started with a POST (an export job, issue 16): the user's exports page follows.
    response = client.post(url) if url == EXPORT else client.get(url)

    assert response.status_code == (302 if url == EXPORT and status == 200 else status)
    assert Export.objects.exists() == (url == EXPORT and status == 200)


def test_a_manager_of_another_organization_sees_none_of_its_records(client, full_case, other_org_user):
    other_org_user.groups.add(Group.objects.get(name=roles.DESK_MANAGER))
    own_policy = DeskPolicyFactory(organization=other_org_user.organizations.get())
    own_case = register(other_org_user, own_policy, reached_on=D("2027-01-05"))
    client.force_login(other_org_user)

    entries, _ = trail_entries(client)

    assert own_case.reference in {e.case_reference for e in entries}  # their own records are there
    assert all(full_case.reference not in (e.object_label, e.case_reference) for e in entries)
    _, response = trail_entries(client, case=full_case.reference)
    assert not response.context["valid"]  # the reference is not in their organizations


def test_history_cannot_be_edited_or_deleted_through_the_ui(client, admin_user, full_case):
    client.force_login(admin_user)
    row = full_case.history.latest()

    assert client.post(TRAIL, {"history_id": row.history_id}).status_code == 405
    version = client.get(f"/admin/requests_app/request/{full_case.pk}/history/{row.history_id}/", follow=True)
    assert version.status_code == 404
    assert client.post(f"/admin/requests_app/request/{full_case.pk}/delete/").status_code == 403
    # Staff users have no version page at all (their history is the readable timeline).
    user = full_case.created_by
    user_row = user.history.earliest()
    url = f"/admin/privacyops/user/{user.pk}/history/{user_row.history_id}/"
    before = user.history.count()
    response = client.post(url, {"username": "renamed", "_change_history": "1"})
    assert response.status_code in {302, 403, 404, 405}
    user.refresh_from_db()
    assert user.username != "renamed" and user.history.count() == before


# ------------------------------------------------------------------------------------------
# What it shows
# ------------------------------------------------------------------------------------------
def test_every_tracked_model_appears_with_its_user_reason_and_diff(
    client, full_case, manager_user, seed_orgs, policies, desk_user
):
    setup_changes(manager_user, seed_orgs, policies)
    consents_records(desk_user, full_case)
    portal_records(desk_user, full_case)
    services.hold_place(actor=manager_user, case=full_case, reason="訴訟係属中")  # issue 15
    services.complaint_register(  # issue 15
        actor=desk_user,
        organization=full_case.organization,
        received_on=full_case.reached_on,
        channel="phone",
        complainant_type="data_subject",
        topic="request_handling",
        summary="回答が遅い",
        request=full_case,
    )
    client.force_login(manager_user)
    client.get(reverse("admin:requests_app_request_change", args=[full_case.pk]))  # an access-log row

    shown = {}
    for source in registry.sources():
        entries, _ = trail_entries(client, record_type=source.key)
        assert entries, f"no entry for {source.key}"
        shown[source.key] = entries

    creators = dict.fromkeys(("request", "item", "document", "payment", "pause", "verification"), desk_user)
    creators.update(decision=desk_user, letter=desk_user, task=manager_user)  # tasks come with the approval
    for key, creator in creators.items():
        entry = shown[key][-1]  # the oldest on the page: the creation
        assert entry.user_label == creator.get_full_name(), key
        assert entry.changes, key
        assert entry.case_reference == full_case.reference, key
    approval = shown["approval"][0]
    assert (
        approval.user_label == manager_user.get_full_name()
        and approval.operation == "approve"
        and approval.note == "承認"
    )
    changed = next(e for e in shown["request"] if e.operation == "verify")
    assert ("状態", "本人確認中", "対応中") in {(c.label, c.old, c.new) for c in changed.changes}
    assert shown["organization"][0].changes[0].new == "平日9:00-17:30" and shown["organization"][0].note == "設定変更"
    assert any(e.user_label == manager_user.get_full_name() for e in shown["policy"])
    group_change = shown["user"][0]
    assert group_change.object_label == manager_user.username
    access = next(e for e in shown["access"] if e.case_reference)  # the newest is reading the trail itself
    assert access.change_type == "v" and access.case_reference == full_case.reference


def test_filter_by_user_date_and_change_type(client, full_case, manager_user, desk_user):
    client.force_login(manager_user)

    by_manager, _ = trail_entries(client, user=manager_user.pk)
    assert by_manager and {e.user_label for e in by_manager} == {manager_user.get_full_name()}

    on_jan_5, _ = trail_entries(client, date_from="2027-01-05", date_to="2027-01-05")
    assert on_jan_5 and all(
        e.when.astimezone(dt.timezone(dt.timedelta(hours=9))).date() == D("2027-01-05") for e in on_jan_5
    )
    assert not any(e.operation == "pause" for e in on_jan_5)  # that was Dec 24

    created, _ = trail_entries(client, change_type="+")
    assert created and {e.change_type for e in created} == {"+"}


def test_page_views_are_one_click_apart_from_changes(client, full_case, desk_user, manager_user):
    """閲覧 rows mixed with changes are hard to read: one click shows changes only, one views only,
    the other filters kept; the record type is a plain select (one choice, or all)."""
    client.force_login(desk_user)
    client.get(reverse("admin:requests_app_request_change", args=[full_case.pk]))
    client.force_login(manager_user)

    everything, response = trail_entries(client, case=full_case.reference)
    assert {"v", "+", "~"} <= {e.change_type for e in everything}
    page = response.content.decode()
    changes_link = f"?case={full_case.reference}&amp;change_type=changes"
    assert changes_link in page and "変更のみ" in page and "閲覧のみ" in page
    changes, _ = trail_entries(client, case=full_case.reference, change_type="changes")
    assert changes and "v" not in {e.change_type for e in changes}
    assert len(changes) == len([e for e in everything if e.change_type != "v"])
    views, _ = trail_entries(client, case=full_case.reference, change_type="v")
    assert views and {e.change_type for e in views} == {"v"}
    assert '<select name="record_type"' in page and '<select name="record_type" multiple' not in page
    assert "すべての記録" in page


def test_the_access_log_records_each_view_of_personal_data(client, full_case, desk_user, manager_user):
    client.force_login(desk_user)
    client.get(reverse("admin:requests_app_request_change", args=[full_case.pk]), REMOTE_ADDR="10.1.2.3")
    letter = full_case.letters.get(kind="result")
    client.get(reverse("admin:requests_app_request_letter_print", args=[full_case.pk, letter.pk]))
    client.get(reverse("admin:requests_app_request_changelist"))

    views = list(AccessLog.objects.filter(user=desk_user).order_by("at"))
    assert [v.kind for v in views] == ["case", "letter", "case_list"]
    assert views[0].request == full_case and views[0].ip_address == "10.1.2.3"
    client.force_login(manager_user)
    entries, _ = trail_entries(client, change_type="v", case=full_case.reference)
    assert [e.user_label for e in entries] == [desk_user.get_full_name()] * 2
    assert "10.1.2.3" in entries[-1].note


def test_an_invalid_filter_is_an_error_never_an_unfiltered_list(client, full_case, manager_user):
    client.force_login(manager_user)

    for params in ({"date_from": "2027-13-40"}, {"case": "2026-999999"}, {"record_type": "nonsense"}):
        response = client.get(TRAIL, params)
        assert response.status_code == 200
        assert not response.context["valid"], params
        assert response.context["entries"] == [], params
        assert client.post(f"{EXPORT}?{urlencode(params)}").status_code == 400, params
    assert not Export.objects.exists()


def test_pages_follow_each_other_without_gaps_or_repeats(client, full_case, manager_user):
    client.force_login(manager_user)
    trail = audit.AuditTrail(actor=manager_user, data={})
    assert trail.is_valid()
    everything = list(trail.iterate(chunk=500))

    seen, cursor = [], None
    while True:
        page, cursor = trail.page(cursor, size=7)
        seen.extend(page)
        if cursor is None:
            break
    assert [(e.model_label, e.history_id) for e in seen] == [(e.model_label, e.history_id) for e in everything]
    assert len(seen) > 40
    assert [e.when for e in seen] == sorted((e.when for e in seen), reverse=True)


def test_the_csv_matches_the_filtered_trail(client, full_case, manager_user):
    client.force_login(manager_user)
    params = {"case": full_case.reference}
    trail = audit.AuditTrail(actor=manager_user, data=params)
    assert trail.is_valid()
    entries = list(trail.iterate())

    assert client.post(f"{EXPORT}?{urlencode(params)}").status_code == 302
    assert not AccessLog.objects.filter(user=manager_user, kind="export").exists()  # no file yet
    response = made(client)

    assert response["Content-Type"].startswith("text/csv")
    text = content(response).decode("utf-8-sig")
    rows = trail_rows(text)
    expected_rows = sum(max(len(e.changes), 1) for e in entries)
    assert len(rows) == expected_rows
    assert {r["case"] for r in rows} <= {full_case.reference, ""}
    first = entries[0]
    assert rows[0]["user"] == first.user_label and rows[0]["note"] == first.note
    assert any(r["field"] == "状態" and r["old"] == "回答準備中" and r["new"] == "回答済" for r in rows)
    assert AccessLog.objects.filter(user=manager_user, kind="export").exists()  # the export is itself logged


@pytest.mark.parametrize("extra_cases", [0, 12])
def test_query_count_of_a_page_does_not_grow_with_history(
    client, full_case, manager_user, desk_user, policies, travel, extra_cases, django_assert_max_num_queries
):
    for _ in range(extra_cases):
        register(desk_user, policies[JUO], reached_on=D("2027-01-05"), documents=[document_data("passport")])
    client.force_login(manager_user)

    # Constant as history grows: per kind of record on the page, its rows, predecessors and m2m
    # values, then one query per kind of linked record named.
    with django_assert_max_num_queries(56):
        response = client.get(TRAIL)

    assert len(response.context["entries"]) == audit.PAGE_SIZE


def test_the_page_has_its_filters_and_the_export_link(client, full_case, manager_user):
    client.force_login(manager_user)

    page = client.get(TRAIL, {"case": full_case.reference}).content.decode()

    assert "監査証跡" in page and "記録の種類" in page and "受付番号" in page
    assert f"/admin/audit/export.csv?case={full_case.reference}" in page
    assert "受付登録" in page and "承認" in page


def test_organizations_of_the_reader_only_in_the_organization_filter(client, manager_user, seed_orgs, other_org_user):
    other_org_user.groups.add(Group.objects.get(name=roles.DESK_MANAGER))
    client.force_login(other_org_user)

    form = client.get(TRAIL).context["form"]

    offered = {pk for pk, _ in form.fields["organization"].choices if pk}
    assert not offered & {o.pk for o in Organization.objects.filter(code__in=seed_orgs)}


def test_a_filter_costs_no_query_per_source(client, full_case, manager_user, seed_orgs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(manager_user)
    with CaptureQueriesContext(connection) as plain:
        client.get(TRAIL)
    for params in ({"user": manager_user.pk}, {"organization": seed_orgs[COPRO].pk}):
        with CaptureQueriesContext(connection) as filtered:
            client.get(TRAIL, params)
        assert len(filtered) <= len(plain) + 2, params  # the chosen value is looked up once, not per source


def test_searches_are_not_kept_and_list_views_reach_the_managers(client, full_case, desk_user, manager_user):
    client.force_login(desk_user)
    client.get(reverse("admin:requests_app_request_changelist"), {"q": "山田", "due": "overdue"})
    client.get(reverse("admin:requests_app_request_action", args=[full_case.pk, "edit-people"]))

    listed = AccessLog.objects.get(user=desk_user, kind="case_list")
    # The page only: a search or a filter may hold a name, an address or a number.
    assert listed.path == reverse("admin:requests_app_request_changelist")
    assert AccessLog.objects.filter(user=desk_user, kind="action", request=full_case).exists()

    client.force_login(manager_user)
    entries, _ = trail_entries(client, change_type="v", user=desk_user.pk)
    assert {e.object_label for e in entries} >= {full_case.reference, "請求一覧"}
    assert AccessLog.objects.filter(user=manager_user, kind="audit").exists()  # reading the trail is logged too


def test_setup_forms_refuse_an_individual_number(client, manager_user, seed_orgs):
    client.force_login(manager_user)
    organization = seed_orgs[COPRO]
    url = reverse("admin:requests_app_organization_change", args=[organization.pk])
    page = client.get(url)
    from tests.desk import form_defaults

    data = form_defaults(page.content.decode())
    data.update(desk_hours="平日 1234-5678-9012", change_reason="番号 123456789012 を記載")

    response = client.post(url, data)

    assert response.status_code == 200
    assert response.content.decode().count("12桁の数字が含まれています") >= 2
    organization.refresh_from_db()
    assert "1234" not in organization.desk_hours


def test_a_refused_export_answers_in_plain_text_never_markup(client, manager_user):
    """The refused values are the reader's own input: never HTML on our origin."""
    client.force_login(manager_user)

    response = client.post(f"{EXPORT}?{urlencode({'record_type': '<b>x</b><img src=x>'})}")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
