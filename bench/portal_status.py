"""Load run of the requester portal's status page (issue 14), on loopback, bounded in time.

    make bench-portal            # or:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/privacyops_portal_bench REDIS_URL=redis://127.0.0.1:6379/14 \
        .venv/bin/python bench/portal_status.py --clients 20 --seconds 20

What it does: prepares ``--cases`` requests sent online to Leverages (through
``services.portal_request_submit``, each with its PIN), starts gunicorn with the production
settings on 127.0.0.1 (``--workers`` processes; TLS is the proxy's job: the client sends
``X-Forwarded-Proto: https`` as the proxy would), and runs ``--clients`` threads for
``--seconds``: each gives the reference and PIN once (the POST the person makes), then reloads the
status page as fast as it is answered (no think time). Every view writes its access-log row, as in
production. The per-address limit is raised for the run (every client is 127.0.0.1).

Reports throughput, p50 / p95 / max latency and errors, printed and written to
``bench/results/portal_status.json`` and ``.md`` (not committed). Never asserted anywhere.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.server import RESULTS, bench_keys, gunicorn, run_clients  # noqa: E402


def prepare(cases: int) -> list[tuple[str, str]]:
    """The database migrated, Leverages' online pages open, ``cases`` requests sent online."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "privacyops.settings.base")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from requests_app import services
    from requests_app.models import Channel, PortalSettings
    from requests_app.seeds import LEVERAGES, ensure_seed_organizations

    organization = ensure_seed_organizations()[LEVERAGES]
    policy = organization.policies.order_by("-effective_from").first()
    if Channel.WEB_FORM not in policy.channels:
        policy.channels = [*policy.channels, Channel.WEB_FORM]
        policy.save()
    PortalSettings.objects.update_or_create(organization=organization, defaults={"enabled": True})
    pairs = []
    for n in range(cases):
        submitted = services.portal_request_submit(
            organization=organization,
            subject={"family_name": "負荷", "given_name": f"試験{n}", "email": f"load{n}@example.jp"},
            items=[{"kind": "disclosure", "requested_method": "electronic"}],
            preferred_response_method="download_link",
        )
        pairs.append((submitted.case.reference, submitted.pin))
    return pairs


class Client:
    """One person's browser on loopback: cookies kept whatever their Secure flag (TLS is the proxy's)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str]:
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Accept-Language": "ja",
        }
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://127.0.0.1:{self.port}"
            headers["Referer"] = f"https://127.0.0.1:{self.port}{path}"
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, text


def run_client(port, pair, start, window, latencies, errors, lock):
    """Sign in (the PIN's hash is deliberately slow: not timed), wait for all, then reload for ``window`` s."""
    client = Client(port)
    status, page = client.request("GET", "/portal/leverages/status/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    status, _ = client.request(
        "POST",
        "/portal/leverages/status/",
        {"csrfmiddlewaretoken": token.group(1) if token else "", "reference": pair[0], "pin": pair[1]},
    )
    if status != 302:
        with lock:
            errors.append(f"sign-in {status}")
    start.wait()
    if status != 302:
        return
    until = time.monotonic() + window
    while time.monotonic() < until:
        started = time.perf_counter()
        try:
            status, page = client.request("GET", "/portal/leverages/status/case/")
        except OSError as error:
            with lock:
                errors.append(type(error).__name__)
            client.connection.close()
            client.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            if status == 200 and pair[0] in page:
                latencies.append(elapsed)
            else:
                errors.append(str(status))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4, help="Threads per worker (gthread).")
    parser.add_argument("--port", type=int, default=8140)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (e.g. privacyops_portal_bench).")
    if not os.environ.get("REDIS_URL"):
        sys.exit("Set REDIS_URL: the portal's counters are shared by the gunicorn workers.")
    bench_keys()
    pairs = prepare(args.cases)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    with gunicorn(
        port=args.port,
        workers=args.workers,
        worker_class=args.worker_class,
        threads=args.threads,
        log_name="portal_status.server.log",
        env={"PORTAL_ATTEMPTS_PER_HOUR": "1000000"},  # every client is 127.0.0.1 here
    ):
        wall = run_clients(
            args.clients,
            run_client,
            lambda i, start: (args.port, pairs[i % len(pairs)], start, args.seconds, latencies, errors, lock),
            args.seconds,
        )
    latencies.sort()
    result = {
        "page": "/portal/<code>/status/case/ (signed in with reference + PIN)",
        "clients": args.clients,
        "seconds": args.seconds,
        "gunicorn_workers": args.workers,
        "gunicorn_worker_class": args.worker_class,
        "gunicorn_threads": args.threads if args.worker_class == "gthread" else 1,
        "requests": len(latencies),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "throughput_per_s": round(len(latencies) / wall, 1),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1], 1) if latencies else None,
        "max_ms": round(latencies[-1], 1) if latencies else None,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "portal_status.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    table = (
        "| "
        + " | ".join(result)
        + " |\n|"
        + "---|" * len(result)
        + "\n| "
        + " | ".join(str(v) for v in result.values())
        + " |\n"
    )
    (RESULTS / "portal_status.md").write_text(table)
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
