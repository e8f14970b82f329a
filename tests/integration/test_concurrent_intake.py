"""Two desk staff register at the same moment: each case gets its own reference number, and two
saves of one case are never both applied (SPEC §4, issue 3). Real threads, real row locks."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from requests_app import services
from requests_app.models import Request
from requests_app.seeds import JUO
from tests.factories import register

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs row locks (SELECT … FOR UPDATE): runs on PostgreSQL, as in CI",
    ),
]


def run_together(*jobs):
    """Start the jobs at the same moment in their own threads (each with its own connection)."""
    barrier = threading.Barrier(len(jobs))
    results, errors = [None] * len(jobs), [None] * len(jobs)

    def runner(index, job):
        try:
            barrier.wait()
            results[index] = job()
        except Exception as exc:  # collected and asserted by the test
            errors[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def test_simultaneous_registrations_get_distinct_consecutive_references(travel, desk_user, desk_user2, policies):
    travel("2026-11-20")
    reached = dt.date(2026, 11, 20)

    results, errors = run_together(
        *[
            (lambda user=user: register(user, policies[JUO], reached_on=reached).reference)
            for user in [desk_user, desk_user2] * 4
        ]
    )

    assert errors == [None] * 8
    assert sorted(results) == [f"2026-{n:06d}" for n in range(1, 9)]


def test_two_simultaneous_saves_of_one_case_apply_only_one(travel, desk_user, desk_user2, policies):
    travel("2026-11-20")
    case = register(desk_user, policies[JUO], reached_on=dt.date(2026, 11, 20))
    seen = case.version

    _results, errors = run_together(
        lambda: services.request_update(actor=desk_user, case=case, expected_version=seen, notes="田中"),
        lambda: services.request_update(actor=desk_user2, case=case, expected_version=seen, notes="鈴木"),
    )

    conflicts = [e for e in errors if isinstance(e, services.EditConflict)]
    assert len(conflicts) == 1 and errors.count(None) == 1
    saved = Request.objects.get(pk=case.pk)
    assert saved.notes in {"田中", "鈴木"}
    assert saved.version == seen + 1


def test_simultaneous_consents_for_a_new_person_make_one_person_and_one_consent(
    travel, desk_user, desk_user2, policies
):
    """A double submission for someone not yet on record (SPEC §11): one person on record, one
    consent; the second is refused as already on record (no second person to block them later)."""
    from consents import services as consents
    from consents.models import Consent
    from requests_app.models import DataSubject

    travel("2026-11-20")
    organization = policies[JUO].organization

    def give(user, recipient):
        person = consents.person_on_record(
            actor=user, organization_id=organization.pk, identity={"family_name": "佐藤", "member_id": "JU-77"}
        )
        return consents.consent_give(
            actor=user, data_subject=person, scope="third_party", recipient=recipient, items="氏名",
            given_on=dt.date(2026, 11, 1), method="申込画面",
        )  # fmt: skip

    _results, errors = run_together(
        *[(lambda user=user: give(user, "株式会社A")) for user in [desk_user, desk_user2] * 2]
    )
    assert DataSubject.objects.filter(member_key="ju77").count() == 1
    assert Consent.objects.count() == 1 and errors.count(None) == 1

    _results, errors = run_together(lambda: give(desk_user, "株式会社B"), lambda: give(desk_user2, "株式会社C"))
    assert errors == [None, None] and DataSubject.objects.filter(member_key="ju77").count() == 1
