"""Benchmark: server time of the audit trail (issue 6) over the generated history.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/privacyops_bench .venv/bin/python bench/audit.py

Requests the trail through Django's test client in this process (server time: routing, queries,
rendering; no network), as a manager of every organization: the first page, the next page, and
pages filtered by case, by user, by organization and by date range. Median of ``--runs``.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "privacyops.settings.base")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from privacyops.audit.registry import sources  # noqa: E402
from requests_app.models import Organization, Request  # noqa: E402


def history_rows() -> int:
    total = 0
    for source in sources():
        total += source.history_model().objects.count()
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    setup_test_environment()  # so that responses carry their template context (rows shown)
    manager = get_user_model().objects.get(username="bench000")  # a desk manager of every organization
    client = Client()
    client.force_login(manager)
    case = Request.objects.filter(reference__startswith="B-").order_by("pk")[5000]
    organization = Organization.objects.get(code="copro")
    print(f"database: {connection.vendor}, history rows in the trail: {history_rows():,}")

    first = client.get("/admin/audit/")
    if first.status_code != 200:
        sys.exit(f"the audit trail answered {first.status_code}")
    after = first.context["next_query"]
    pages = {
        "first page": "",
        "second page": after,
        "filtered by case": f"case={case.reference}",
        "filtered by user": f"user={manager.pk}",
        "filtered by organization": f"organization={organization.pk}",
        "filtered by date range": "date_from=2026-06-01&date_to=2026-06-30",
        "filtered by record type": "record_type=document",
    }
    for name, query in pages.items():
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(f"/admin/audit/?{query}")
            times.append(time.perf_counter() - started)
            if response.status_code != 200:
                sys.exit(f"{name}: {response.status_code}")
        rows = len(response.context["entries"])
        print(
            f"{name:<26} median {statistics.median(times) * 1000:7.1f} ms "
            f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}); {rows} rows; {len(captured)} queries"
        )


if __name__ == "__main__":
    main()
