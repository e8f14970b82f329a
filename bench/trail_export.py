"""Benchmark: the whole audit trail as a CSV export job (issue 16), over the generated history.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/privacyops_bench .venv/bin/python bench/trail_export.py

Asks for the unfiltered trail's CSV as a desk manager of every organization (``bench000``) and runs
the job in this process exactly as the Celery task does (``privacyops.exports.services.export_run``):
the trail read in keyset chunks, the CSV sealed in 1 MiB pieces through a temporary file into the
``exports`` storage. Reports rows (entries of the trail), lines and size of the file, wall time, rows
per second, and peak memory: the process's resident set sampled every 50 ms (its growth over the
run) and the high-water mark. Then reads the file back piece by piece (as the download does) to
count its lines, and deletes it. Writes ``bench/results/trail_export.json`` (not committed).
"""

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "privacyops.settings.base")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
if "DOCUMENT_KEYS" not in os.environ:
    from cryptography.fernet import Fernet

    os.environ["DOCUMENT_KEYS"] = Fernet.generate_key().decode()

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402

from privacyops.exports import services  # noqa: E402
from privacyops.exports.models import Export  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def rss_mib() -> float:
    """The resident set of this process now (Linux /proc), in MiB."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


class Sampler(threading.Thread):
    """The highest resident set seen while the job runs, sampled every 50 ms."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak = rss_mib()
        self.running = True

    def run(self):
        while self.running:
            self.peak = max(self.peak, rss_mib())
            time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--user", default="bench000")
    parser.add_argument("--query", default="", help="The trail's filter as a query string (default: everything).")
    args = parser.parse_args()
    manager = get_user_model().objects.get(username=args.user)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")

    export = services.export_start(
        actor=manager, kind="audit_trail", title="bench: whole trail", params={"query": args.query}
    )
    before = rss_mib()
    sampler = Sampler()
    sampler.start()
    started = time.perf_counter()
    services.export_run(export_id=export.pk)
    seconds = time.perf_counter() - started
    sampler.running = False
    sampler.join()
    export.refresh_from_db()
    if export.status != "done":
        sys.exit(f"the export failed: {export.error}")

    lines = 0
    read_started = time.perf_counter()
    for piece in services.export_file(export):
        lines += piece.count(b"\n")
    read_seconds = time.perf_counter() - read_started
    services.storage().delete(export.file_name)
    Export.objects.filter(pk=export.pk).delete()

    result = {
        "entries": export.rows_done,
        "entries_counted_first": export.rows_total,
        "csv_lines": lines,
        "size_mb": round(export.size / 1e6, 1),
        "seconds": round(seconds, 1),
        "entries_per_second": round(export.rows_done / seconds),
        "rss_before_mib": round(before, 1),
        "rss_peak_mib": round(sampler.peak, 1),
        "rss_growth_mib": round(sampler.peak - before, 1),
        "read_back_seconds": round(read_seconds, 1),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "trail_export.json").write_text(json.dumps(result, indent=2))
    print(
        f"whole trail: {result['entries']:,} entries, {lines:,} CSV lines, {result['size_mb']} MB in "
        f"{result['seconds']} s ({result['entries_per_second']:,} entries/s); resident memory "
        f"{result['rss_before_mib']} MiB before, peak {result['rss_peak_mib']} MiB "
        f"(+{result['rss_growth_mib']} MiB); read back (unsealed) in {result['read_back_seconds']} s"
    )


if __name__ == "__main__":
    main()
