"""An export job through the real stack (issue 16): the page's POST queues it on the configured
broker (Redis in CI) after the transaction commits, a real Celery worker makes the file, the
exports page shows it ready, and the user downloads it. No eager mode."""

import datetime as dt

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse

from privacyops.celery import app as celery_app
from privacyops.exports.models import Export, ExportStatus
from requests_app.seeds import JUO
from tests.factories import register
from tests.integration.test_reminder_delivery import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_an_export_is_made_by_a_worker_and_downloaded(client, travel, desk_user, manager_user, policies):
    travel("2026-11-02")
    case = register(desk_user, policies[JUO], reached_on=dt.date(2026, 11, 2))
    client.force_login(manager_user)

    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        assert client.post(f"/admin/audit/export.csv?case={case.reference}").status_code == 302
        export = Export.objects.get()
        wait_for(
            lambda: Export.objects.get(pk=export.pk).status in (ExportStatus.DONE, ExportStatus.FAILED),
            message="the export made by the worker",
        )

    export.refresh_from_db()
    assert export.status == ExportStatus.DONE, export.error
    assert export.rows_done == export.rows_total > 0
    page = client.get(reverse("admin:exports")).content.decode()
    assert reverse("admin:export_download", args=[export.pk]) in page
    response = client.get(reverse("admin:export_download", args=[export.pk]))
    assert case.reference in b"".join(response.streaming_content).decode("utf-8-sig")


def test_the_limit_of_files_waiting_holds_under_parallel_requests(manager_user, settings):
    """Twenty requests for a file at the same moment: at most EXPORT_MAX_ACTIVE are recorded (the
    count and the new row under one lock on the user), the others refused with the reason."""
    import threading

    from django.core.exceptions import ValidationError
    from django.db import connection

    from privacyops.exports import services

    settings.EXPORT_MAX_ACTIVE = 5
    refused, barrier = [], threading.Barrier(20)

    def ask():
        try:
            barrier.wait()
            services.export_start(actor=manager_user, kind="audit_trail", title="x", params={})
        except ValidationError:
            refused.append(1)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Export.objects.filter(created_by=manager_user).count() == 5
    assert len(refused) == 15
