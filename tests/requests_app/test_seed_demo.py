import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings

from requests_app.demo import DEMO_PASSWORD


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_seed_demo_is_idempotent_and_prints_logins():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=io.StringIO())

    User = get_user_model()
    assert User.objects.filter(username="desk").count() == 1
    desk = User.objects.get(username="desk")
    assert desk.check_password(DEMO_PASSWORD)
    assert set(desk.groups.values_list("name", flat=True)) == {"desk staff"}
    assert set(User.objects.get(username="manager").groups.values_list("name", flat=True)) == {"desk manager"}
    assert set(User.objects.get(username="auditor").groups.values_list("name", flat=True)) == {"auditor"}
    printed = out.getvalue()
    assert "desk" in printed and DEMO_PASSWORD in printed and "http://127.0.0.1:8000/admin/" in printed


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_seed_demo_sets_no_password_when_debug_is_off():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)

    desk = get_user_model().objects.get(username="desk")
    assert not desk.has_usable_password()
    assert DEMO_PASSWORD not in out.getvalue()


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_demo_desk_user_can_log_in_to_the_admin(client):
    call_command("seed_demo", stdout=io.StringIO())

    response = client.post("/admin/login/?next=/admin/", {"username": "desk", "password": DEMO_PASSWORD})

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_seed_demo_loads_the_five_organizations_and_requests_in_every_state():
    from django.utils import timezone

    from requests_app.derived import fee_status
    from requests_app.models import AgentType, Organization, PauseKind, Request, Status

    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # idempotent

    # The five seed organizations, and two group companies abroad (GDPR, CCPA: SPEC §5).
    assert set(Organization.objects.values_list("code", flat=True)) == {
        "plusup",
        "recruit-cc",
        "juo",
        "copro",
        "leverages",
        "demo-eu",
        "demo-us",
    }
    requests = Request.objects.all()
    assert 28 <= requests.count() <= 40
    statuses = set(requests.values_list("status", flat=True))
    assert statuses >= {
        Status.RECEIVED,
        Status.VERIFYING,
        Status.AWAITING_REQUESTER,
        Status.IN_PROGRESS,
        Status.AWAITING_APPROVAL,
        Status.RESPONDING,
        Status.WITHDRAWN,
        Status.REJECTED,
        Status.RESPONDED,
        Status.CLOSED,
    }
    agent_types = set(requests.filter(agent__isnull=False).values_list("agent__agent_type", flat=True))
    assert agent_types == set(AgentType.values)
    assert any(fee_status(r).shortfall > 0 for r in requests.filter(status=Status.AWAITING_REQUESTER))
    assert requests.filter(pauses__kind=PauseKind.INFORMATION, pauses__ended_on__isnull=True).exists()
    assert requests.overdue(timezone.localdate()).exists()
    assert requests.filter(status=Status.AWAITING_APPROVAL, decisions__outcome="refuse").exists()
    # Issue 4: sent letters, open fulfilment tasks, a draft waiting to be sent, a purged case.
    assert requests.filter(status=Status.CLOSED, responses__isnull=False).exists()
    assert requests.filter(tasks__status="open").exists()
    assert requests.filter(letters__sent_at__isnull=True, letters__kind="result").exists()
    purged = requests.get(purged_on__isnull=False)
    assert purged.data_subject.family_name == "（消去済）" and purged.status == Status.CLOSED
    desk = get_user_model().objects.get(username="desk")
    assert set(desk.organizations.values_list("code", flat=True)) == {
        "plusup",
        "recruit-cc",
        "juo",
        "copro",
        "leverages",
        "demo-eu",
        "demo-us",
    }
    # The purposes of use each seed policy states, each once however often seed_demo runs.
    import json

    from consents.hooks import SEED_PURPOSES
    from consents.models import PurposeOfUse

    stated = {
        (code, group["category"], text)
        for code, seed in json.loads(SEED_PURPOSES.read_text(encoding="utf-8")).items()
        for group in seed["categories"]
        for text in group["purposes"]
    }
    held = set(PurposeOfUse.objects.values_list("organization__code", "category", "text"))
    assert held == stated and len(held) >= 85
    # Abroad the clock runs from receipt: the EU case is due one month after it reached us.
    eu_case = requests.get(organization__code="demo-eu")
    assert eu_case.complete_on is None and eu_case.due_on is not None
