"""Benchmark: the records an audit asks for (issue 15) at 100k requests — the statistics page, the
request ledger's page and its CSV — through Django's test client in this process (server time:
routing, queries, rendering; no network), as a desk manager of every organization; the ledger's
CSV of a month as the export job makes it (in this process, as the worker does).

    make bench-records        # a database of its own: 100k requests, 40 % answered, over a year

Median (and min/max) of ``--runs`` after one warm-up; the number of queries of the last run.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "privacyops.settings.base")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
if "DOCUMENT_KEYS" not in os.environ:  # the export job seals its file
    from cryptography.fernet import Fernet

    os.environ["DOCUMENT_KEYS"] = Fernet.generate_key().decode()

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from privacyops.exports import services as export_services  # noqa: E402
from requests_app.models import Organization, Request, Response  # noqa: E402


def measure(client, url: str, runs: int) -> tuple[list[float], int, object]:
    client.get(url)  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            if response.streaming:
                size = sum(len(chunk) for chunk in response.streaming_content)
                response.size = size
        times.append(time.perf_counter() - started)
        if response.status_code != 200:
            sys.exit(f"{url}: {response.status_code}")
    return times, len(captured), response


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--today", default="2026-11-24")
    args = parser.parse_args()
    setup_test_environment()
    manager = get_user_model().objects.get(username="bench000")  # a desk manager of every organization
    client = Client()
    client.force_login(manager)
    today = dt.date.fromisoformat(args.today)
    year_ago = today - dt.timedelta(days=364)
    month_ago = today - dt.timedelta(days=30)
    organization = Organization.objects.get(code="copro")
    print(
        f"database: {connection.vendor}; requests: {Request.objects.count():,}; "
        f"result notices sent: {Response.objects.count():,}"
    )
    pages = {
        "statistics, every organization, a year": (
            f"/admin/requests_app/request/statistics/?first={year_ago}&last={today}"
        ),
        "statistics, one organization, a year": (
            f"/admin/requests_app/request/statistics/?organization={organization.pk}&first={year_ago}&last={today}"
        ),
        "ledger page, one organization, a year": (
            f"/admin/requests_app/request/ledger/?organization={organization.pk}&first={year_ago}&last={today}"
        ),
    }
    for name, url in pages.items():
        times, queries, response = measure(client, url, args.runs)
        extra = ""
        if response.context is not None and "stats" in response.context:
            stats = response.context["stats"]
            extra = (
                f"; {stats.total:,} requests, {stats.answered:,} answered, on time {stats.on_time_rate} %, "
                f"median {stats.median_days} / p90 {stats.p90_days} business days"
            )
        elif response.context is not None and "page" in response.context:
            extra = f"; {response.context['page'].paginator.count:,} rows in the period"
        elif getattr(response, "size", None):
            extra = f"; {response.size / 1e6:.1f} MB"
        print(
            f"{name:<42} median {statistics.median(times) * 1000:8.1f} ms "
            f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}); {queries} queries{extra}"
        )
    # The ledger's CSV is an export job (issue 16): made here as the worker makes it.
    times = []
    for _ in range(args.runs):
        export = export_services.export_start(
            actor=manager,
            kind="ledger_csv",
            title="bench",
            params={"first": month_ago.isoformat(), "last": today.isoformat(), "file_stem": "bench"},
            organization=organization,
            scope={organization.pk},
        )
        started = time.perf_counter()
        export = export_services.export_run(export_id=export.pk)
        times.append(time.perf_counter() - started)
        export_services.storage().delete(export.file_name)
        export.delete()
    print(
        f"{'ledger CSV, one organization, a month (job)':<42} median {statistics.median(times) * 1000:8.1f} ms "
        f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}); {export.rows_done:,} rows, "
        f"{export.size / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main()
