import pytest
import time_machine

from requests_app import roles
from tests.factories import (
    UserFactory,
    make_auditor_user,
    make_desk_user,
    make_desk_user2,
    make_manager_user,
    make_other_org_user,
    make_seed_orgs,
)
from tests.once import tokyo

# Shared fixtures that live in their own module.
pytest_plugins = ["tests.reminder_calendar"]


@pytest.fixture
def seed_orgs(db):
    """The five seed organizations with their desk policies (SPEC §3), keyed by code (``make_seed_orgs``)."""
    return make_seed_orgs()


@pytest.fixture
def policies(seed_orgs):
    return {code: organization.policies.get() for code, organization in seed_orgs.items()}


@pytest.fixture
def desk_user(seed_orgs):
    return make_desk_user(seed_orgs)


@pytest.fixture
def desk_user2(seed_orgs):
    return make_desk_user2(seed_orgs)


@pytest.fixture
def manager_user(seed_orgs):
    return make_manager_user(seed_orgs)


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
    return make_auditor_user(seed_orgs)


@pytest.fixture
def other_org_user(db):
    """Desk staff of an unrelated organization: must see none of the seed organizations' cases."""
    return make_other_org_user()


@pytest.fixture
def travel():
    """``travel("2026-12-24")`` moves the clock to 10:00 Tokyo time on that day (and back after)."""
    current = []

    def go(day: str, hour: int = 10):
        if current:
            current.pop().stop()
        traveller = time_machine.travel(tokyo(day, hour), tick=True)
        traveller.start()
        current.append(traveller)

    yield go
    if current:
        current.pop().stop()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The cache holds the portal's counters (wrong PINs, attempts per address): each test starts at zero."""
    from django.core.cache import cache

    cache.clear()
    yield
