"""Reminders through the real stack: the configured broker (Redis in CI), a real Celery worker and a
real SMTP server (aiosmtpd). No eager mode: serialization, transactions and retries are real."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.schedules import crontab
from django.conf import settings
from django.db import connection

from privacyops.celery import app as celery_app
from requests_app import services, tasks
from requests_app.models import ReminderLog, ReminderStatus
from tests.reminder_calendar import SWEEP_DAY, expected

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def wait_for(condition, timeout=40.0, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {message}")


@pytest.fixture
def worker():
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20) as running:
        yield running


def sweep():
    tasks.reminder_sweep.delay(SWEEP_DAY.isoformat())


def test_the_right_digests_arrive_once(smtp_server, desk_calendar, worker, desk_user, desk_user2, manager_user):
    rows = expected(desk_calendar, desk_user, desk_user2, manager_user)

    sweep()
    wait_for(lambda: len(smtp_server.messages) == 3, message="three digests")
    wait_for(lambda: ReminderLog.objects.filter(status=ReminderStatus.SENT).count() == len(rows), message="rows sent")

    assert sorted(m["To"] for m in smtp_server.messages) == sorted(
        u.email for u in (desk_user, desk_user2, manager_user)
    )
    by_to = {m["To"]: m for m in smtp_server.messages}
    manager_digest = by_to[manager_user.email].get_body(preferencelist=("plain",)).get_content()
    assert desk_calendar["overdue"].reference in manager_digest
    assert desk_calendar["art39"].reference in manager_digest
    assert (
        by_to[manager_user.email]["Message-ID"] == ReminderLog.objects.filter(recipient=manager_user).first().message_id
    )

    # The sweep runs again (beat twice, or an operator): nothing new is sent.
    sweep()
    time.sleep(3)
    assert len(smtp_server.messages) == 3
    assert ReminderLog.objects.count() == len(rows)


def test_smtp_failing_first_then_recovering_delivers_each_digest_once(smtp_server, desk_calendar, worker):
    smtp_server.fail_next = 2  # the first two deliveries are refused with a 451

    sweep()
    wait_for(
        lambda: not ReminderLog.objects.exclude(status=ReminderStatus.SENT).exists() and ReminderLog.objects.exists(),
        message="every reminder sent after retries",
    )

    assert smtp_server.refused == 2
    assert len(smtp_server.messages) == 3  # one per person, none twice
    assert len({m["To"] for m in smtp_server.messages}) == 3
    retried = ReminderLog.objects.filter(attempts__gt=1)
    assert retried.exists() and all(row.last_error == "" for row in retried)


def test_smtp_down_for_good_marks_the_reminders_failed_for_managers(
    smtp_server, desk_calendar, worker, manager_user, client
):
    smtp_server.fail_next = 1000

    sweep()
    wait_for(
        lambda: ReminderLog.objects.exists() and not ReminderLog.objects.filter(status=ReminderStatus.PENDING).exists(),
        timeout=60,
        message="retries exhausted",
    )

    failed = ReminderLog.objects.filter(status=ReminderStatus.FAILED)
    assert failed.count() == ReminderLog.objects.count()
    assert all(row.attempts == settings.REMINDER_MAX_RETRIES + 1 for row in failed)
    assert all("451" in row.last_error for row in failed)
    # The managers see them in the admin, failed ones filtered.
    client.force_login(manager_user)
    page = client.get("/admin/requests_app/reminderlog/?status__exact=failed").content.decode()
    assert desk_calendar["overdue"].reference in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two sweeps at once need row locks: PostgreSQL (CI)")
def test_two_sweeps_at_once_claim_and_send_once(
    smtp_server, desk_calendar, worker, desk_user, desk_user2, manager_user
):
    import threading

    from django.db import connections

    def run():
        try:
            services.reminder_sweep(today=SWEEP_DAY)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    rows = expected(desk_calendar, desk_user, desk_user2, manager_user)
    wait_for(lambda: ReminderLog.objects.filter(status=ReminderStatus.SENT).count() == len(rows), message="sent")
    time.sleep(2)
    assert ReminderLog.objects.count() == len(rows)
    assert len(smtp_server.messages) == 3


def test_beat_runs_the_sweep_every_morning_tokyo_time():
    schedule = celery_app.conf.beat_schedule
    entry = schedule["reminder-sweep"]

    assert celery_app.conf.timezone == "Asia/Tokyo"
    assert entry["task"] == "requests_app.reminder_sweep" == tasks.reminder_sweep.name
    assert entry["schedule"] == crontab(hour=settings.REMINDER_HOUR, minute=settings.REMINDER_MINUTE)
    assert (settings.REMINDER_HOUR, settings.REMINDER_MINUTE) == (9, 0)
    assert schedule == settings.CELERY_BEAT_SCHEDULE
    assert "requests_app.reminder_digest_send" in celery_app.tasks
