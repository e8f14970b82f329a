"""The bench's report (issue 16): one JSON and one Markdown table from the runners' results.

    .venv/bin/python bench/report.py                 # bench/results/bench.json and bench.md
    .venv/bin/python bench/report.py --name before   # before.json and before.md

Reads what ``make bench`` left in ``bench/results/``: ``pages-100k.json`` (the page runner at
100k requests), ``pages-10k.json`` (the same at 10k: the growth columns), ``load.json``,
``reminders.json``, ``trail_export.json`` and ``generate-*.json``. A missing file leaves its rows
out. Needs no database.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def load(name: str) -> dict | None:
    path = RESULTS / name
    return json.loads(path.read_text()) if path.exists() else None


def cell(value, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--name", default="bench", help="Writes <name>.json and <name>.md.")
    parser.add_argument("--large", default="100k", help="Label of the main page run.")
    parser.add_argument("--small", default="10k", help="Label of the growth run.")
    args = parser.parse_args()
    large = load(f"pages-{args.large}.json")
    small = load(f"pages-{args.small}.json")
    run = load("load.json")
    reminders = load("reminders.json")
    trail = load("trail_export.json")
    generated = {
        path.stem.removeprefix("generate-"): json.loads(path.read_text()) for path in RESULTS.glob("generate-*.json")
    }
    report = {
        "pages": large,
        "growth": small,
        "load": run,
        "reminders": reminders,
        "trail_export": trail,
        "generate": generated,
    }
    (RESULTS / f"{args.name}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))

    md = [f"# PrivacyOps bench ({args.name})", ""]
    if large:
        md += [
            f"Database `{large['database']}`: {large['requests']:,} requests ({large['open_requests']:,} open), "
            f"{large['history_rows']:,} history rows, {large['access_log_rows']:,} access-log rows. "
            f"Server time in-process (Django test client), {large['pages'][0]['runs']} runs after 3 warm-ups; "
            "SQL ms = sum of the statements' times (median run).",
            "",
            "| page | median ms | p95 ms | queries | SQL ms | rows shown | slowest stmt ms | most repeated stmt |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for page in large["pages"]:
            md.append(
                f"| {page['page']} | {cell(page['median_ms'])} | {cell(page['p95_ms'])} | {page['queries']} | "
                f"{cell(page['sql_ms'])} | {page['rows']} | {cell(page['slowest_ms'])} | "
                f"×{page['most_repeated_count']} |"
            )
    if run:
        md.append(
            f"| {run['clients']} concurrent clients, gunicorn {run['gunicorn_workers']} {run['gunicorn_worker_class']} "
            f"workers, no think time, {run['seconds']} s | p50 {cell(run['p50_ms'])} | {cell(run['p95_ms'])} "
            f"(max {cell(run['max_ms'])}) | | | {run['throughput_per_s']} req/s, {run['requests']:,} requests | "
            f"errors {run['errors']} | |"
        )
    if reminders:
        md.append(
            f"| reminder sweep dry run, per open request ({reminders['open_requests']:,} open) | "
            f"{reminders['ms_per_open_request']:.4f} ms/request ({cell(reminders['median_s'], 2)} s) | "
            f"{cell(reminders['p95_s'], 2)} s (max) | {reminders['queries']} | {cell(reminders['sql_ms'])} | "
            f"{reminders['planned_lines']:,} planned | peak {reminders['peak_python_mib']} MiB (traced run) | |"
        )
    if trail:
        md.append(
            f"| audit CSV export of the whole trail (export job, bench/trail_export.py) | "
            f"{cell(trail['seconds'])} s | | | | {trail['entries']:,} entries, {trail['csv_lines']:,} lines, "
            f"{trail['size_mb']} MB, {trail['entries_per_second']:,} entries/s | "
            f"peak RSS {trail['rss_peak_mib']} MiB (+{trail['rss_growth_mib']} MiB) | |"
        )
    md.append("")
    if run:
        md += ["Load run per page:", "", "| page | requests | p50 ms | p95 ms | max ms |", "|---|---:|---:|---:|---:|"]
        for name, values in run["per_page"].items():
            md.append(
                f"| {name} | {values['requests']:,} | {cell(values['p50_ms'])} | {cell(values['p95_ms'])} | "
                f"{cell(values['max_ms'])} |"
            )
        if run["error_kinds"]:
            md.append(f"\nErrors: {', '.join(run['error_kinds'])}")
        md.append("")
    if large and small:
        md += [
            f"## Growth: {small['requests']:,} → {large['requests']:,} requests",
            "",
            f"| page | median ms {args.small} | median ms {args.large} | ratio | queries {args.small} | "
            f"queries {args.large} | SQL ms {args.small} | SQL ms {args.large} |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        by_name = {page["page"]: page for page in small["pages"]}
        for page in large["pages"]:
            other = by_name.get(page["page"])
            if other is None:
                continue
            ratio = page["median_ms"] / other["median_ms"] if other["median_ms"] else None
            md.append(
                f"| {page['page']} | {cell(other['median_ms'])} | {cell(page['median_ms'])} | "
                f"{cell(ratio, 2)}× | {other['queries']} | {page['queries']} | {cell(other['sql_ms'])} | "
                f"{cell(page['sql_ms'])} |"
            )
        md.append("")
    if generated:
        md += ["## Generation", "", "| database | options | times (s) |", "|---|---|---|"]
        for database, info in generated.items():
            options = info["options"]
            md.append(
                f"| {database} | {options['requests']:,} requests, states {options.get('states', 'open')}, "
                f"history {options['history']:,}, access log {options.get('access_log', 0):,} | "
                + ", ".join(f"{key.removesuffix('_s')} {value}" for key, value in info["timings"].items())
                + " |"
            )
        md.append("")
    if large:
        md += ["## Slowest statement and most repeated statement per page", ""]
        for page in large["pages"]:
            md += [
                f"### {page['page']}",
                "",
                f"`{page['url']}` — most repeated ×{page['most_repeated_count']}: `{page['most_repeated'][:300]}`",
                "",
                f"Slowest ({cell(page['slowest_ms'])} ms): `{page['slowest_sql'][:600]}`",
                "",
                "```",
                page.get("slowest_plan", ""),
                "```",
                "",
            ]
    (RESULTS / f"{args.name}.md").write_text("\n".join(md))
    print("\n".join(md[: md.index("## Slowest statement and most repeated statement per page")] if large else md))
    print(f"written bench/results/{args.name}.json and {args.name}.md")


if __name__ == "__main__":
    main()
