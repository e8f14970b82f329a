"""Benchmark: the reminder sweep's dry run over the generated desk (issue 5).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/privacyops_bench .venv/bin/python bench/reminders.py

Runs ``manage.py send_deadline_reminders --dry-run --date <today>`` in this process, output to
/dev/null, and reports wall time, peak memory (RSS growth and Python allocations) and the number
of SQL queries. Repeats ``--runs`` times and reports the median (the machine is shared and noisy).
"""

import argparse
import io
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
from django.test.utils import CaptureQueriesContext  # noqa: E402

from requests_app.models import Request  # noqa: E402


class Counter(io.TextIOBase):
    lines = 0

    def write(self, text):
        self.lines += text.count("\n")
        return len(text)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--today", default="2026-11-24")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    open_requests = Request.objects.open().count()
    print(f"database: {connection.vendor}, open requests: {open_requests}")
    times, peaks, queries, lines = [], [], [], 0
    for _ in range(args.runs):
        out = Counter()
        tracemalloc.start()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            call_command("send_deadline_reminders", "--dry-run", "--date", args.today, stdout=out)
        times.append(time.perf_counter() - started)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        queries.append(len(captured))
        lines = out.lines
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"reminders planned: {lines - 1} lines of output")
    print(f"wall time: median {statistics.median(times):.2f} s  (runs: {', '.join(f'{t:.2f}' for t in times)})")
    print(
        f"peak Python allocations: {max(peaks) / 2**20:.1f} MiB; process max RSS {rss_after / 1024:.0f} MiB "
        f"(grew {max(rss_after - rss_before, 0) / 1024:.0f} MiB during the last run)"
    )
    print(f"SQL queries per sweep: {queries[-1]}")


if __name__ == "__main__":
    main()
