import datetime as dt

import pytest
import time_machine
from django.apps import apps as django_apps

from requests_app import roles
from requests_app.seeds import ensure_seed_organizations
from tests.factories import OrganizationFactory, UserFactory

# Shared fixtures that live in their own module.
pytest_plugins = ["tests.reminder_calendar"]


@pytest.fixture
def seed_orgs(db):
    """The five seed organizations with their desk policies (SPEC §3), keyed by code.

    Roles are synced first: a transactional test flushes the tables, groups from migrations included.
    """
    roles.sync_roles(django_apps)
    return ensure_seed_organizations()


@pytest.fixture
def policies(seed_orgs):
    return {code: organization.policies.get() for code, organization in seed_orgs.items()}


@pytest.fixture
def desk_user(seed_orgs):
    return UserFactory(
        username="desk_a", last_name="田中", first_name="美咲", role=roles.DESK_STAFF, organizations=seed_orgs.values()
    )


@pytest.fixture
def desk_user2(seed_orgs):
    return UserFactory(
        username="desk_b", last_name="鈴木", first_name="翔太", role=roles.DESK_STAFF, organizations=seed_orgs.values()
    )


@pytest.fixture
def manager_user(seed_orgs):
    return UserFactory(
        username="manager_a",
        last_name="高橋",
        first_name="誠",
        role=roles.DESK_MANAGER,
        organizations=seed_orgs.values(),
    )


@pytest.fixture
def manager_user2(seed_orgs):
    return UserFactory(
        username="manager_b",
        last_name="渡辺",
        first_name="恵",
        role=roles.DESK_MANAGER,
        organizations=seed_orgs.values(),
    )


@pytest.fixture
def auditor_user(seed_orgs):
    return UserFactory(
        username="auditor_a", last_name="伊藤", first_name="由美", role=roles.AUDITOR, organizations=seed_orgs.values()
    )


@pytest.fixture
def other_org_user(db):
    """Desk staff of an unrelated organization: must see none of the seed organizations' cases."""
    return UserFactory(username="desk_other", role=roles.DESK_STAFF, organizations=[OrganizationFactory()])


@pytest.fixture
def travel():
    """``travel("2026-12-24")`` moves the clock to 10:00 Tokyo time on that day (and back after)."""
    current = []

    def go(day: str, hour: int = 10):
        if current:
            current.pop().stop()
        moment = dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=dt.timezone(dt.timedelta(hours=9)))
        traveller = time_machine.travel(moment, tick=True)
        traveller.start()
        current.append(traveller)

    yield go
    if current:
        current.pop().stop()
