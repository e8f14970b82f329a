"""Desk set-up and staff changes: no silent overwrite, nothing recorded when nothing changed, and
many-to-many changes readable in the audit trail."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission

from privacyops.audit.trail import AuditTrail
from requests_app import roles, services
from requests_app.seeds import JUO
from tests.desk import case_url, errors_of, form_defaults, form_html
from tests.factories import UserFactory, register

NOV_20 = dt.date(2026, 11, 20)

pytestmark = pytest.mark.django_db


def policy_url(policy):
    return f"/admin/requests_app/deskpolicy/{policy.pk}/change/"


def test_two_managers_edit_the_same_policy_the_second_gets_a_conflict(client, manager_user, manager_user2, policies):
    """SPEC §4 (concurrent edits) for set-up: the first manager's fee is kept."""
    policy = policies[JUO]
    first, second = client, client.__class__()
    first.force_login(manager_user)
    second.force_login(manager_user2)
    form_first = form_defaults(first.get(policy_url(policy)).content.decode())
    form_second = form_defaults(second.get(policy_url(policy)).content.decode())

    saved = first.post(policy_url(policy), {**form_first, "fee_disclosure": "1500", "change_reason": "料金改定"})
    refused = second.post(policy_url(policy), {**form_second, "fee_disclosure": "2000", "change_reason": "料金改定"})

    assert saved.status_code == 302
    assert refused.status_code == 200
    assert "別の担当者が保存しました" in refused.content.decode()
    policy.refresh_from_db()
    assert policy.fee_disclosure == 1500
    assert policy.version == 2


def test_saving_an_unchanged_policy_records_nothing(client, manager_user, policies):
    """Line endings from the browser (CRLF) are no change."""
    policy = policies[JUO]
    client.force_login(manager_user)
    form = form_defaults(client.get(policy_url(policy)).content.decode())
    form = {k: v.replace("\n", "\r\n") if isinstance(v, str) else v for k, v in form.items()}
    rows_before = policy.history.count()

    response = client.post(policy_url(policy), {**form, "change_reason": "確認のみ"})

    assert response.status_code == 302, errors_of(response)
    assert policy.history.count() == rows_before
    policy.refresh_from_db()
    assert policy.version == 1


def test_a_permission_given_to_a_desk_user_shows_in_the_trail_with_who_gave_it(client, desk_user, manager_user):
    """Many-to-many changes of a staff user (groups, permissions) are recorded and named."""
    admin_user = UserFactory(username="root", last_name="管理", first_name="者", is_superuser=True, is_staff=True)
    permission = Permission.objects.get(codename="view_audit_trail")
    client.force_login(admin_user)
    url = f"/admin/privacyops/user/{desk_user.pk}/change/"
    form = form_defaults(client.get(url).content.decode())
    form["user_permissions"] = [str(permission.pk)]

    response = client.post(url, form)

    assert response.status_code == 302, errors_of(response)
    trail = AuditTrail(actor=manager_user, data={"record_type": "user"})
    assert trail.is_valid()
    entries, _ = trail.page()
    given = [
        (entry.user_label, change.new)
        for entry in entries
        if entry.object_label == desk_user.username
        for change in entry.changes
        if change.name == "user_permissions"
    ]
    assert given == [("管理 者", f"+ {permission}")]

    # The user's own "History" page in the admin says the same, readably.
    history = client.get(f"/admin/privacyops/user/{desk_user.pk}/history/")
    assert history.status_code == 200
    page = history.content.decode()
    assert f"+ {permission}" in page and "管理 者" in page
    assert " as of " not in page


def test_a_policy_history_page_names_the_change_its_reason_and_tokyo_time(client, travel, manager_user, policies):
    """The admin's "History" of a set-up record is the readable timeline, scoped like its list."""
    travel("2026-11-20", hour=10)  # 10:00 in Tokyo, 01:00 UTC
    policy = policies[JUO]
    client.force_login(manager_user)
    form = form_defaults(client.get(policy_url(policy)).content.decode())
    client.post(policy_url(policy), {**form, "fee_disclosure": "1500", "change_reason": "料金改定"})

    page = client.get(f"/admin/requests_app/deskpolicy/{policy.pk}/history/").content.decode()

    assert "料金改定" in page and "1,500" in page and "2026-11-20 10:00" in page
    outsider = UserFactory(username="outsider", role=roles.DESK_MANAGER, organizations=[])
    client.force_login(outsider)
    assert client.get(f"/admin/requests_app/deskpolicy/{policy.pk}/history/").status_code in {302, 403, 404}


def test_the_trail_filters_by_operation(client, travel, desk_user, manager_user, policies):
    """Operation codes are stored per history row and the trail filters on them."""
    travel("2026-11-20")
    case = register(desk_user, policies[JUO], reached_on=NOV_20)
    services.request_start_verification(actor=desk_user, case=case, note="照合開始")

    trail = AuditTrail(actor=manager_user, data={"operation": "start_verification"})
    assert trail.is_valid()
    entries, _ = trail.page()

    assert [(e.operation, e.note, e.case_reference) for e in entries] == [
        ("start_verification", "照合開始", case.reference)
    ]
    assert not AuditTrail(actor=manager_user, data={"operation": "no-such-operation"}).is_valid()


def test_case_notes_sent_with_crlf_are_no_change(client, travel, desk_user, policies):
    travel("2026-11-20")
    case = register(desk_user, policies[JUO], reached_on=NOV_20, notes="一行目\n二行目")
    client.force_login(desk_user)
    form = form_defaults(form_html(client.get(case_url(case)).content.decode(), "case-details"))
    form["notes"] = "一行目\r\n二行目"
    rows = case.history.count()

    response = client.post(case_url(case), form)

    assert response.status_code == 302, errors_of(response)
    assert case.history.count() == rows  # request_update found nothing to write


def test_the_case_history_names_the_people_not_their_keys(client, travel, desk_user, policies):
    """Issue 9/10: linked records by name — "本人: — → 山田 花子", never "DS-40" or "… as of <UTC>"."""
    travel("2026-11-20")
    case = register(desk_user, policies[JUO], reached_on=NOV_20)
    client.force_login(desk_user)

    page = client.get(f"/admin/requests_app/request/{case.pk}/case-history/").content.decode()

    assert "山田 花子" in page
    assert f"DS-{case.data_subject_id}" not in page and " as of " not in page
