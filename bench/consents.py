"""Benchmark: the consents app (issue 11) — "what we hold" for a person with 1,000 records, and the
CSV import of records.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/privacyops_bench .venv/bin/python bench/consents.py

Works on a database that has the seed organizations (``make bench`` creates them); everything it
writes is rolled back. Reports the selector's queries and median time (``--runs``), and the server
time of an import of ``--rows`` rows through the import page (Django's test client in this process).
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

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from consents import services  # noqa: E402
from consents.models import Basis, ProvisionRecord, RecordedHow  # noqa: E402
from consents.selectors import what_we_hold  # noqa: E402
from requests_app.seeds import LEVERAGES, ensure_seed_organizations  # noqa: E402


class Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args()
    setup_test_environment()
    try:
        with transaction.atomic():
            run(args)
            raise Rollback
    except Rollback:
        pass


def run(args) -> None:
    organizations = ensure_seed_organizations()
    organization = organizations[LEVERAGES]
    user = get_user_model().objects.create_superuser("bench-consents", "bench@example.jp", "x" * 20)
    person = services.person_on_record(
        actor=user, organization_id=organization.pk, identity={"family_name": "佐藤", "member_id": "BENCH-1"}
    )
    today = timezone.localdate()
    ProvisionRecord.objects.bulk_create(
        ProvisionRecord(
            organization=organization,
            direction="provided",
            data_subject=person,
            counterparty=f"株式会社{i % 20}",
            items="氏名、職務経歴",
            provided_on=today - dt.timedelta(days=i % 700),
            basis=Basis.OTHER,
            recorded_how=RecordedHow.EACH_TIME,
            retention_end=today + dt.timedelta(days=1000),
            created_on=today,
        )
        for i in range(args.records)
    )
    times, queries = [], []
    for _ in range(args.runs):
        actor = get_user_model().objects.get(pk=user.pk)  # nothing cached
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            held = what_we_hold(actor=actor, data_subject=person)
            times.append((time.perf_counter() - started) * 1000)
        queries.append(len(captured))
    if len(held.provided) != args.records:
        raise SystemExit(f"expected {args.records} records, got {len(held.provided)}")
    print(
        f"what_we_hold, {args.records} records: median {statistics.median(times):.1f} ms, "
        f"queries {max(queries)} (max of {args.runs} runs)"
    )

    header = "direction,family_name,member_id,counterparty,items,provided_on,basis,recorded_how\n"
    lines = [
        f"provided,山田,IMPORT-{i % 500},株式会社{i % 30},氏名,2026-05-{1 + i % 28:02d},other,each_time\n"
        for i in range(args.rows)
    ]
    client = Client()
    client.force_login(user)
    started = time.perf_counter()
    response = client.post(
        "/admin/consents/provisionrecord/import/",
        {
            "organization": organization.pk,
            "file": SimpleUploadedFile("bench.csv", (header + "".join(lines)).encode(), "text/csv"),
        },
    )
    elapsed = time.perf_counter() - started
    imported = ProvisionRecord.objects.filter(data_subject__member_id__startswith="IMPORT-").count()
    if response.status_code != 302:
        raise SystemExit(f"the import was refused: {response.context['import_errors'][:3]}")
    print(f"import of {args.rows} rows: {elapsed:.1f} s server time, {imported} records, HTTP {response.status_code}")


if __name__ == "__main__":
    main()
