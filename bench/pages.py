"""Page runner (issue 16): server time of the desk's pages through Django's test client in this
process (routing, queries, rendering; no network), as a desk manager of every organization.

    make bench-pages                 # or:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/privacyops_bench \\
        .venv/bin/python bench/pages.py --label 100k

For each page: ``--warmups`` requests (3), then ``--runs`` timed ones (20). Reported: median and
p95 (ms), queries, SQL time (sum of the captured statements' times, median run), the slowest
statement of the last run with its ``EXPLAIN (ANALYZE, BUFFERS)`` (run again with its parameters,
inside a transaction rolled back), and the most repeated statement shape (literals and IN-lists
folded) with its count. Every response must be a 200 showing rows (the list's result rows, the
audit trail's entries, the case's items, documents and letters), else the run stops.

Writes ``bench/results/pages-<label>.json`` (not committed). Needs the data of
``bench/generate.py`` (the ``B-`` requests, the ``bench000`` manager, the history rows).
The audit trail's export (CSV), an export job, is measured by ``bench/trail_export.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "privacyops.settings.base")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

from bench.sql import Capture, explain, literal_sql, most_repeated, percentile  # noqa: E402
from requests_app.models import Organization, Request, Status  # noqa: E402

MANAGER = "bench000"  # a desk manager of every organization (bench/generate.py)
PREFIX = "B-"


# ------------------------------------------------------------------------------------------
# The pages
# ------------------------------------------------------------------------------------------
@dataclass
class Page:
    name: str
    url: str
    check: object  # (response) -> rows shown (int); 0 or an exception fails the run
    group: str = "desk"


def list_rows(response) -> int:
    return len(response.context["cl"].result_list)


def audit_rows(response) -> int:
    return len(response.context["entries"])


def dashboard_rows(response) -> int:
    """The cases the manager's start page lists (the team's overdue, due soon, awaiting approval,
    unassigned; at most 50 each)."""
    team = response.context.get("team") or {}
    return sum(len(cases) for name, cases in team.items() if name != "totals")


def case_with(items: int, documents: int, letters: int) -> Request:
    """A generated case with exactly that many items, identity documents and letters."""
    case = (
        Request.objects.filter(reference__startswith=PREFIX)
        .annotate(
            n_items=Count("items", distinct=True),
            n_documents=Count("documents", distinct=True),
            n_letters=Count("letters", distinct=True),
        )
        .filter(n_items=items, n_documents=documents, n_letters=letters)
        .order_by("pk")
        .first()
    )
    if case is None:  # data of an older generator: the fullest case there is, said so
        case = (
            Request.objects.filter(reference__startswith=PREFIX)
            .annotate(n_items=Count("items", distinct=True), n_documents=Count("documents", distinct=True))
            .order_by("-n_documents", "-n_items", "pk")
            .first()
        )
        print(f"warning: no case with {items} items, {documents} documents, {letters} letters; using {case.reference}")
    return case


def case_rows(response) -> int:
    context = response.context
    return len(context["items"]) + len(context["documents"]) + len(context["letters"])


def due_column() -> int:
    """The number ``o`` gives the due-date column (the admin numbers the action checkbox as 0)."""
    from django.contrib import admin
    from django.test import RequestFactory

    model_admin = admin.site._registry[Request]
    request = RequestFactory().get("/")
    request.user = get_user_model().objects.get(username=MANAGER)
    columns = list(model_admin.get_list_display(request))
    if model_admin.get_actions(request):
        columns.insert(0, "action_checkbox")
    return columns.index("due")


def desk_pages(manager) -> list[Page]:
    """The request list (default, filtered, searched, sorted), the case page and the dashboard."""
    assignee = (
        Request.objects.filter(reference__startswith=PREFIX, status=Status.IN_PROGRESS, assignee__isnull=False)
        .values_list("assignee", flat=True)
        .order_by("assignee")
        .first()
    )
    shown = Request.objects.filter(reference__startswith=PREFIX).open().order_by("pk")  # the list shows open cases
    subject = shown[min(1234, shown.count() - 1)].data_subject
    name = f"{subject.family_name} {subject.given_name}"
    case = case_with(3, 3, 2)
    changelist = "/admin/requests_app/request/"
    return [
        Page("request list, default (50 rows)", changelist, list_rows),
        Page(
            "list filtered by status + assignee",
            f"{changelist}?status={Status.IN_PROGRESS}&assignee={assignee}",
            list_rows,
        ),
        Page("list searched by a person's name", f"{changelist}?q={name}", list_rows),
        Page("list sorted by due date, descending", f"{changelist}?o=-{due_column()}", list_rows),
        Page(
            "case page (3 items, 3 documents, 2 letters)",
            f"{changelist}{case.pk}/change/",
            case_rows,
        ),
        Page("dashboard (manager)", "/admin/", dashboard_rows),
    ]


def audit_pages(client, manager) -> list[Page]:
    """The audit trail: first and next page, filtered by case, user, organization, date range."""
    with template_context():
        first = client.get("/admin/audit/")
    if first.status_code != 200:
        sys.exit(f"the audit trail answered {first.status_code}")
    after = first.context["next_query"]
    case = Request.objects.filter(reference__startswith=PREFIX).order_by("pk")[5000]
    organization = Organization.objects.get(code="copro")
    return [
        Page("audit trail, first page", "/admin/audit/", audit_rows, "audit"),
        Page("audit trail, next page", f"/admin/audit/?{after}", audit_rows, "audit"),
        Page("audit trail, filtered by case", f"/admin/audit/?case={case.reference}", audit_rows, "audit"),
        Page("audit trail, filtered by user", f"/admin/audit/?user={manager.pk}", audit_rows, "audit"),
        Page(
            "audit trail, filtered by organization",
            f"/admin/audit/?organization={organization.pk}",
            audit_rows,
            "audit",
        ),
        Page(
            "audit trail, filtered by date range",
            "/admin/audit/?date_from=2026-06-01&date_to=2026-06-30",
            audit_rows,
            "audit",
        ),
    ]


# The audit trail's export of the whole trail is an export job (issue 16), measured by
# bench/trail_export.py (time, rows per second, peak memory), not by this runner.


def signed_in_client() -> tuple[Client, object]:
    manager = get_user_model().objects.get(username=MANAGER)
    client = Client()
    client.force_login(manager)
    return client, manager


def all_pages(client, manager) -> list[Page]:
    return [*desk_pages(manager), *audit_pages(client, manager)]


# ------------------------------------------------------------------------------------------
# Measuring
# ------------------------------------------------------------------------------------------
@contextlib.contextmanager
def template_context():
    """Responses carry their template context (to count the rows shown) only inside this block:
    Django's test instrumentation copies the context at every template rendered (each widget
    too), which costs a page 10–30 % of its time. Timed requests run outside it."""
    setup_test_environment()
    try:
        yield
    finally:
        teardown_test_environment()


def fetch(client, page: Page, check: bool = False):
    """One request of ``page``: a 200 (a streamed body read whole); with ``check``, inside
    ``template_context``, the rows it shows (none stops the run)."""
    response = client.get(page.url)
    if response.status_code != 200:
        sys.exit(f"{page.name}: {page.url} answered {response.status_code}")
    if response.streaming:
        response.size = sum(len(chunk) for chunk in response.streaming_content)
    if not check:
        return response, None
    rows = page.check(response)
    if not rows:
        sys.exit(f"{page.name}: {page.url} shows no rows")
    return response, rows


def measure(client, page: Page, warmups: int, runs: int, plans: bool = True) -> dict:
    with template_context():
        _response, rows = fetch(client, page, check=True)  # the first warm-up: the rows shown
    for _ in range(warmups - 1):
        fetch(client, page)
    times, sql_times = [], []
    capture = Capture()
    for _ in range(runs):
        capture = Capture()
        started = time.perf_counter()
        with connection.execute_wrapper(capture):
            fetch(client, page)
        times.append((time.perf_counter() - started) * 1000)
        sql_times.append(capture.sql_ms)
    statements = capture.statements  # the last run's
    slowest = max(statements, key=lambda s: s.ms)
    repeated, repeats = most_repeated(statements)
    result = {
        "page": page.name,
        "group": page.group,
        "url": page.url,
        "rows": rows,
        "runs": runs,
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "min_ms": round(min(times), 1),
        "max_ms": round(max(times), 1),
        "queries": len(statements),
        "sql_ms": round(statistics.median(sql_times), 1),
        "slowest_ms": round(slowest.ms, 2),
        "slowest_sql": literal_sql(slowest),
        "most_repeated": repeated,
        "most_repeated_count": repeats,
    }
    if plans:
        result["slowest_plan"] = explain(slowest)
    return result


def database_summary() -> dict:
    from privacyops.audit.models import AccessLog
    from privacyops.audit.registry import ACCESS, sources

    return {
        "database": connection.settings_dict["NAME"],
        "vendor": connection.vendor,
        "requests": Request.objects.count(),
        "open_requests": Request.objects.open().count(),
        "history_rows": sum(source.history_model().objects.count() for source in sources() if source.key != ACCESS),
        "access_log_rows": AccessLog.objects.count(),
        "status_counts": dict(
            Request.objects.values_list("status").annotate(n=Count("pk")).order_by("status").values_list("status", "n")
        ),
        "cases_3_items": Request.objects.annotate(n=Count("items")).filter(n=3).count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--label", default="100k", help="Names the result file: pages-<label>.json.")
    parser.add_argument("--warmups", type=int, default=3)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--only", default="", help="Measure only the pages whose name contains this text.")
    args = parser.parse_args()
    client, manager = signed_in_client()
    summary = database_summary()
    print(
        f"database {summary['database']}: {summary['requests']:,} requests ({summary['open_requests']:,} open), "
        f"{summary['history_rows']:,} history rows, {summary['access_log_rows']:,} access-log rows"
    )
    results = []
    for page in all_pages(client, manager):
        if args.only and args.only not in page.name:
            continue
        result = measure(client, page, args.warmups, args.runs)
        results.append(result)
        print(
            f"{page.name:<46} median {result['median_ms']:8.1f} ms  p95 {result['p95_ms']:8.1f}  "
            f"{result['queries']:3d} queries  SQL {result['sql_ms']:7.1f} ms  rows {result['rows']}  "
            f"slowest {result['slowest_ms']:.1f} ms; most repeated ×{result['most_repeated_count']}",
            flush=True,
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"pages-{args.label}.json"
    out.write_text(json.dumps({"label": args.label, **summary, "pages": results}, indent=2, ensure_ascii=False))
    print(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
