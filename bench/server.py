"""What the load runs share (bench/load.py, bench/portal_status.py): gunicorn with the production
settings on loopback, and N client threads released together for a bounded time."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def bench_keys() -> None:
    """A signing key and a document key for the run when the environment has none."""
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)  # sessions are signed with it
    if not os.environ.get("DOCUMENT_KEYS"):
        from cryptography.fernet import Fernet

        os.environ["DOCUMENT_KEYS"] = Fernet.generate_key().decode()


@contextmanager
def gunicorn(*, port: int, workers: int, worker_class: str, threads: int, log_name: str, env: dict | None = None):
    """gunicorn serving the production settings on 127.0.0.1:``port`` from
    ``privacyops/gunicorn_conf.py`` (``workers`` processes of ``worker_class``, ``threads`` each),
    static files collected first, its output in ``bench/results/<log_name>``; yields once /healthz
    answers, stops it (TERM, then KILL after 30 s) whatever happens."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "privacyops.settings.production",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "60"),
        "LOG_LEVEL": "ERROR",
        "WEB_BIND": f"127.0.0.1:{port}",
        "WEB_WORKERS": str(workers),
        "WEB_WORKER_CLASS": worker_class,
        "WEB_THREADS": str(threads),
        "WEB_ACCESS_LOG": "",  # the database access log is still written by every view
        "PRIVACYOPS_READ_DOT_ENV": "false",
        **(env or {}),
    }
    # The production settings serve the hashed static files (whitenoise's manifest).
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=environment, check=True
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    with open(RESULTS / log_name, "w") as log:
        server = subprocess.Popen(  # noqa: S603 - our own gunicorn with fixed arguments
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "privacyops.wsgi:application",
                *("-c", "python:privacyops.gunicorn_conf"),
            ],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            for _ in range(200):
                try:
                    probe = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                    probe.request("GET", "/healthz")
                    probe.getresponse().read()
                    break
                except OSError:
                    time.sleep(0.1)
            yield server
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()


def run_clients(
    count: int, target: Callable, args_for: Callable[[int, threading.Barrier], tuple], seconds: int
) -> float:
    """``count`` threads of ``target(*args_for(i, start))`` released together by the barrier
    ``start``; each runs for ``seconds`` (its own clock). Returns the wall time from the release
    until the last one ended (bounded: each is waited for at most ``seconds`` + 90 s)."""
    start = threading.Barrier(count + 1)
    threads = [threading.Thread(target=target, args=args_for(i, start)) for i in range(count)]
    for thread in threads:
        thread.start()
    start.wait(timeout=300)
    started = time.monotonic()
    for thread in threads:
        thread.join(timeout=seconds + 90)
    return time.monotonic() - started
