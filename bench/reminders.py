"""Benchmark: the reminder sweep's dry run over the generated desk (issue 5, issue 16).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/privacyops_bench .venv/bin/python bench/reminders.py

Runs ``manage.py send_deadline_reminders --dry-run --date <today>`` in this process, output
counted and dropped. One warm-up, then ``--runs`` timed runs WITHOUT tracemalloc (tracing every
allocation made the sweep look about 3.5 times slower than it is): median wall time, ms per open
request, SQL queries and SQL time. Then one separate run under tracemalloc for the peak of Python
allocations (and the process's RSS growth); its time is not reported as the sweep's.

Writes ``bench/results/reminders.json`` (not committed). The machine is shared and noisy.
"""

import argparse
import io
import json
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "privacyops.settings.base")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench.sql import Capture  # noqa: E402
from requests_app.models import Request  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


class Counter(io.TextIOBase):
    lines = 0

    def write(self, text):
        self.lines += text.count("\n")
        return len(text)


def sweep(today: str) -> tuple[int, Capture]:
    out = Counter()
    capture = Capture()
    with connection.execute_wrapper(capture):
        call_command("send_deadline_reminders", "--dry-run", "--date", today, stdout=out)
    return out.lines, capture


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--today", default="2026-11-24")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    open_requests = Request.objects.open().count()
    print(f"database: {connection.vendor}, open requests: {open_requests}")
    sweep(args.today)  # warm-up: imports, translations, the connection
    times, sql_times, queries, lines = [], [], [], 0
    for _ in range(args.runs):
        started = time.perf_counter()
        lines, capture = sweep(args.today)
        times.append(time.perf_counter() - started)
        queries.append(len(capture.statements))
        sql_times.append(capture.sql_ms)
    # Memory: one run of its own under tracemalloc (slow; its time is not the sweep's).
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.perf_counter()
    sweep(args.today)
    traced_s = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    median = statistics.median(times)
    result = {
        "open_requests": open_requests,
        "planned_lines": lines - 1,
        "runs": args.runs,
        "median_s": round(median, 3),
        "p95_s": round(max(times), 3),
        "runs_s": [round(t, 3) for t in times],
        "ms_per_open_request": round(median * 1000 / max(open_requests, 1), 4),
        "queries": queries[-1],
        "sql_ms": round(statistics.median(sql_times), 1),
        "peak_python_mib": round(peak / 2**20, 1),
        "max_rss_mib": round(rss_after / 1024),
        "rss_growth_mib": round(max(rss_after - rss_before, 0) / 1024),
        "traced_run_s": round(traced_s, 2),
    }
    print(f"reminders planned: {lines - 1} lines of output")
    print(
        f"wall time: median {median:.2f} s (runs: {', '.join(f'{t:.2f}' for t in times)}), "
        f"{result['ms_per_open_request']:.4f} ms per open request"
    )
    print(f"SQL: {queries[-1]} queries, {result['sql_ms']:.0f} ms")
    print(
        f"memory (separate run under tracemalloc, {traced_s:.2f} s): peak Python allocations "
        f"{result['peak_python_mib']} MiB; process max RSS {result['max_rss_mib']} MiB "
        f"(grew {result['rss_growth_mib']} MiB)"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "reminders.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
