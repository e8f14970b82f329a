"""Load run of the desk (issue 16): gunicorn with the production settings on loopback, N signed-in
desk-staff clients for T seconds (bounded), no think time.

    make bench-load CLIENTS=20 SECONDS=20 WORKERS=4          # or:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/privacyops_bench \\
        .venv/bin/python bench/load.py --clients 20 --seconds 20 --workers 4

Needs the desk of ``bench/generate.py`` (its ``bench*`` staff and ``B-`` cases). Each client is
one desk-staff user (not a manager) who cycles through the request list, a case page (the
generator's full cases, 3 items / 3 documents / 2 letters, else open ones) and the dashboard,
as fast as it is answered. Every view writes its access-log row and saves the session, as in
production.

Signing in: the production settings always require the second factor (``OTP_REQUIRED``), and
django-axes guards the password form; neither is what is measured. So each client's session is
made in the database beforehand, as ``django.contrib.auth.login`` and ``django_otp.login`` would
leave it: the user, their password hash's HMAC, and a confirmed device of theirs (a static
device named ``bench``, created once per user) as the verified second factor. The cookie is
then sent as a browser would. TLS is the proxy's job: the client sends ``X-Forwarded-Proto:
https``. gunicorn runs from ``privacyops/gunicorn_conf.py`` (``--workers``, ``--worker-class``,
``--threads``), access log off, ``CONN_MAX_AGE`` 60.

Reports throughput, p50 / p95 / max latency (all pages, and per page) and errors, printed and
written to ``bench/results/load.json`` (not committed). Never asserted anywhere.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.server import RESULTS, bench_keys, gunicorn, run_clients  # noqa: E402

PAGES = ("list", "case", "dashboard")


def prepare(clients: int) -> tuple[list[str], list[int]]:
    """One session per client (desk staff, second factor given) and the case pages to open."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "privacyops.settings.base")
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Count
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    from privacyops import two_factor
    from requests_app import roles
    from requests_app.models import Request

    staff = list(
        get_user_model()
        .objects.filter(username__startswith="bench", is_active=True, groups__name=roles.DESK_STAFF)
        .exclude(groups__name=roles.DESK_MANAGER)
        .order_by("username")
    )
    if not staff:
        sys.exit("No desk staff: run bench/generate.py first.")
    sessions = []
    for user in itertools.islice(itertools.cycle(staff), clients):
        device, _ = StaticDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session[two_factor.ENROLLED_SESSION_KEY] = True
        session.create()
        sessions.append(session.session_key)
    full = (
        Request.objects.filter(reference__startswith="B-")
        .annotate(n_items=Count("items", distinct=True), n_documents=Count("documents", distinct=True))
        .filter(n_items=3, n_documents=3)
        .values_list("pk", flat=True)[:200]
    )
    cases = list(full) or list(Request.objects.open().order_by("pk").values_list("pk", flat=True)[:200])
    return sessions, cases


class Client:
    """One browser on loopback with its session cookie (TLS is the proxy's)."""

    def __init__(self, port: int, session_key: str):
        self.port = port
        self.cookie = f"sessionid={session_key}"
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(self, path: str) -> tuple[int, bytes]:
        headers = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https", "Cookie": self.cookie}
        self.connection.request("GET", path, headers=headers)
        response = self.connection.getresponse()
        body = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("sessionid="):
                self.cookie = value.split(";", 1)[0]
        return response.status, body


def run_client(port, session_key, cases, offset, start, window, latencies, errors, lock):
    client = Client(port, session_key)
    paths = {
        "list": lambda n: "/admin/requests_app/request/",
        "case": lambda n: f"/admin/requests_app/request/{cases[(offset + n) % len(cases)]}/change/",
        "dashboard": lambda n: "/admin/",
    }
    marks = {"list": b'id="result_list"', "case": b"</html>", "dashboard": b"</html>"}
    start.wait()
    until = time.monotonic() + window
    n = 0
    while time.monotonic() < until:
        page = PAGES[n % len(PAGES)]
        n += 1
        started = time.perf_counter()
        try:
            status, body = client.get(paths[page](n))
        except OSError as error:
            with lock:
                errors.append(f"{page}: {type(error).__name__}")
            client.connection.close()
            client.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            continue
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            if status == 200 and marks[page] in body:
                latencies[page].append(elapsed)
            else:
                errors.append(f"{page}: {status}")


def stats(values: list[float]) -> dict:
    values = sorted(values)
    if not values:
        return {"requests": 0, "p50_ms": None, "p95_ms": None, "max_ms": None}
    return {
        "requests": len(values),
        "p50_ms": round(statistics.median(values), 1),
        "p95_ms": round(values[max(int(len(values) * 0.95) - 1, 0)], 1),
        "max_ms": round(values[-1], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4, help="Threads per worker (gthread).")
    parser.add_argument("--port", type=int, default=8141)
    parser.add_argument("--label", default="load", help="Names the result file: <label>.json.")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to the bench's PostgreSQL database (e.g. privacyops_bench).")
    if args.seconds > 600:
        sys.exit("--seconds: at most 600 (the machine is shared).")
    bench_keys()
    sessions, cases = prepare(args.clients)
    latencies: dict[str, list[float]] = {page: [] for page in PAGES}
    errors: list[str] = []
    lock = threading.Lock()
    with gunicorn(
        port=args.port,
        workers=args.workers,
        worker_class=args.worker_class,
        threads=args.threads,
        log_name=f"{args.label}.server.log",
        env={"REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")},
    ):
        # One request per client before the clock starts (each worker's first import and connection).
        for key in sessions[: args.workers * 2]:
            Client(args.port, key).get("/admin/")
        wall = run_clients(
            args.clients,
            run_client,
            lambda i, start: (args.port, sessions[i], cases, i * 7, start, args.seconds, latencies, errors, lock),
            args.seconds,
        )
    every = [value for values in latencies.values() for value in values]
    result = {
        "pages": "request list, a case page, the dashboard (cycled; desk staff, no think time)",
        "clients": args.clients,
        "seconds": args.seconds,
        "gunicorn_workers": args.workers,
        "gunicorn_worker_class": args.worker_class,
        "gunicorn_threads": args.threads if args.worker_class == "gthread" else 1,
        "throughput_per_s": round(len(every) / wall, 1),
        **stats(every),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "per_page": {page: stats(values) for page, values in latencies.items()},
    }
    (RESULTS / f"{args.label}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
