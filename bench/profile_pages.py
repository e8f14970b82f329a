"""Where the time of the desk's pages goes (issue 16): pyinstrument over the page runner's pages,
in this process through Django's test client, as the manager of ``bench/pages.py``.

    .venv/bin/pip install pyinstrument      # a development tool, not a requirement
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/privacyops_bench \\
        .venv/bin/python bench/profile_pages.py --out bench/results/profile.md

For each page: 2 warm-ups, ``--runs`` timed requests (median, queries), then ``--profiled``
requests under pyinstrument (sampling every millisecond): the hot spots by self time
(file:line function) and the project's own frames by total time, each as a share of the page's
time; the most repeated statement shapes; the slowest statement with its EXPLAIN (ANALYZE,
BUFFERS). Also the audit trail's CSV export, read to ``--export-rows`` lines (the whole trail
would take minutes). Markdown to ``--out`` and stdout; never asserted anywhere.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from django.db import connection

from bench.pages import Page, all_pages, fetch, signed_in_client, template_context
from bench.sql import Capture, explain, literal_sql, shape

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ("requests_app/", "privacyops/", "consents/", "templates/")


def export_rows(limit: int):
    def check(response) -> int:
        return 1

    return Page(f"audit trail CSV export (first {limit:,} lines)", "/admin/audit/export.csv", check, "audit")


def fetch_export(client, page: Page, limit: int) -> int:
    """The export job's work (issue 16: a Celery job, not a streamed page), in this process: the
    whole trail's CSV lines for the page's manager, read to ``limit`` lines."""
    import itertools

    from django.http import QueryDict

    from privacyops.audit import trail

    timeline = trail.AuditTrail(actor=client.bench_user, data=QueryDict(""))
    if not timeline.is_valid():
        sys.exit("the trail's filter is not valid")
    return sum(line.count("\n") for line in itertools.islice(trail.csv_lines(timeline), limit))


def frames(frame, into_self: dict, into_total: dict, callers: dict, seen: set, nearest: str = "") -> None:
    """Self time per (file:line function), with the nearest project frame that led there, and
    total time per project frame (counted once per stack)."""
    if frame.is_synthetic:  # pyinstrument's "[self]" and "[await]" leaves: counted in their parent
        return
    path = frame.file_path_short or frame.file_path or "?"
    key = f"{path}:{frame.line_no} {frame.function}"
    into_self[key] = into_self.get(key, 0.0) + frame.total_self_time
    project = any(part in (frame.file_path or "") for part in PROJECT) and frame.function != "__call__"
    if frame.total_self_time:
        by = callers.setdefault(key, {})
        by[nearest] = by.get(nearest, 0.0) + frame.total_self_time
    fresh = project and key not in seen  # middleware (__call__) holds every page: not a hot spot
    if fresh:
        into_total[key] = into_total.get(key, 0.0) + frame.time
        seen.add(key)
    for child in frame.children:
        frames(child, into_self, into_total, callers, seen, key if project else nearest)
    if fresh:
        seen.discard(key)


def short_sql(sql: str) -> str:
    """The statement with its column list elided (``SELECT … FROM``), for reading."""
    return re.sub(r"^SELECT (.{200,}?) FROM ", "SELECT … FROM ", sql, count=1, flags=re.DOTALL)


def profile(client, page: Page, runs: int, profiled: int, export_limit: int | None) -> dict:
    from pyinstrument import Profiler
    from pyinstrument.renderers import ConsoleRenderer

    def one():
        return fetch_export(client, page, export_limit) if export_limit else fetch(client, page)

    if not export_limit:
        with template_context():
            fetch(client, page, check=True)  # the rows it shows
    one()
    one()
    times, captures = [], []
    for _ in range(runs):
        capture = Capture()
        started = time.perf_counter()
        with connection.execute_wrapper(capture):
            one()
        times.append((time.perf_counter() - started) * 1000)
        captures.append(capture)
    profiler = Profiler(interval=0.001)
    profiler.start()
    for _ in range(profiled):
        one()
    profiler.stop()
    session = profiler.last_session
    root = session.root_frame()
    own, total, callers = {}, {}, {}
    if root is not None:
        frames(root, own, total, callers, set())
    duration = session.duration or 1e-9
    statements = captures[-1].statements
    shapes: dict[str, int] = {}
    for statement in statements:
        shapes[shape(statement.sql)] = shapes.get(shape(statement.sql), 0) + 1
    slowest = max(statements, key=lambda s: s.ms)
    return {
        "page": page.name,
        "url": page.url,
        "median_ms": statistics.median(times),
        "queries": len(statements),
        "sql_ms": statistics.median(c.sql_ms for c in captures),
        "self": [
            (key, seconds, sorted(callers.get(key, {}).items(), key=lambda kv: -kv[1])[:2])
            for key, seconds in sorted(own.items(), key=lambda kv: -kv[1])[:12]
        ],
        "total": sorted(total.items(), key=lambda kv: -kv[1])[:15],
        "duration": duration,
        "shapes": sorted(shapes.items(), key=lambda kv: -kv[1])[:5],
        "slowest_ms": slowest.ms,
        "slowest_sql": short_sql(literal_sql(slowest)),
        "slowest_plan": explain(slowest),
        "text": profiler.output(
            ConsoleRenderer(unicode=True, show_all=True, processor_options={"filter_threshold": 0.02})
        ),
    }


def markdown(result: dict, tree: bool) -> str:
    lines = [
        f"### {result['page']}",
        "",
        f"`{result['url']}` — median **{result['median_ms']:.1f} ms**, **{result['queries']} queries**, "
        f"SQL {result['sql_ms']:.1f} ms",
        "",
        "Hot spots, self time (share of the profiled time):",
        "",
    ]
    for key, seconds, by in result["self"]:
        via = "; ".join(f"{caller or '(no project frame)'} {t / seconds * 100:.0f} %" for caller, t in by)
        lines.append(f"- {seconds / result['duration'] * 100:5.1f} %  `{key}`  — via {via}")
    lines += ["", "Project frames, total time (share):", ""]
    for key, seconds in result["total"]:
        lines.append(f"- {seconds / result['duration'] * 100:5.1f} %  `{key}`")
    lines += ["", "Most repeated statements (shape × count):", ""]
    for sql, count in result["shapes"]:
        lines.append(f"- ×{count}: `{short_sql(sql)[:400]}`")
    lines += [
        "",
        f"Slowest statement ({result['slowest_ms']:.1f} ms):",
        "",
        "```sql",
        result["slowest_sql"][:3000],
        "```",
        "",
        "```",
        result["slowest_plan"],
        "```",
        "",
    ]
    if tree:
        tree = "\n".join(result["text"].splitlines()[:150])  # the top of pyinstrument's call tree
        lines += ["<details><summary>pyinstrument tree</summary>", "", "```", tree, "```", "</details>", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profiled", type=int, default=5, help="Requests under the profiler per page.")
    parser.add_argument("--export-rows", type=int, default=50_000)
    parser.add_argument("--only", default="", help="Only the pages whose name contains this text.")
    parser.add_argument("--out", default="", help="Also write the Markdown to this file.")
    parser.add_argument("--tree", action="store_true", help="Include pyinstrument's call tree.")
    args = parser.parse_args()
    client, manager = signed_in_client()
    client.bench_user = manager  # the export job reads as this user
    wanted = {
        "request list, default (50 rows)",
        "list searched by a person's name",
        "list sorted by due date, descending",
        "case page (3 items, 3 documents, 2 letters)",
        "dashboard (manager)",
        "audit trail, first page",
    }
    pages = [page for page in all_pages(client, manager) if page.name in wanted]
    pages.append(export_rows(args.export_rows))
    out = ["# Profile of the desk's pages (pyinstrument, in-process test client)", ""]
    for page in pages:
        if args.only and args.only not in page.name:
            continue
        is_export = page.url.endswith("export.csv")
        result = profile(
            client,
            page,
            1 if is_export else args.runs,
            1 if is_export else args.profiled,
            args.export_rows if is_export else None,
        )
        text = markdown(result, args.tree)
        print(text, flush=True)
        out.append(text)
        if args.out:
            Path(args.out).write_text("\n".join(out))


if __name__ == "__main__":
    main()
