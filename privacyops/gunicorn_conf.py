"""gunicorn settings for the web service (issue 16): ``gunicorn privacyops.wsgi:application -c
python:privacyops.gunicorn_conf``, used by the Dockerfile, compose and ``make bench-portal``.

Processes, not threads, by default: measured on 2 cores with 20 clients on the portal's status
page (``make bench-portal``, 2026-11-30), 4 sync workers served 89.5 req/s (p95 266 ms, 0 errors),
4 gthread workers × 4 threads 92.0 req/s (p95 448 ms, 2 connections dropped on keep-alive) and
2 × 8 threads 44.5 req/s: the pages are CPU-bound Python (about 26 ms of CPU a view), which
threads share under one interpreter lock. ``gthread`` suits a deployment whose pages wait on a
remote database. Tuned from the environment:

- ``WEB_WORKERS`` processes (default: 2 per core, at least 2);
- ``WEB_WORKER_CLASS`` ``sync`` (default) or ``gthread``;
- ``WEB_THREADS`` threads per process (default 4; ignored by ``sync``);
- ``WEB_TIMEOUT`` seconds before a stuck worker is restarted (default 60);
- ``WEB_BIND`` (default ``0.0.0.0:8000``).

Each thread keeps its own database connection when ``CONN_MAX_AGE`` > 0: plan PostgreSQL's
``max_connections`` for web replicas × workers × threads (plus workers of Celery).
"""

import multiprocessing
import os

bind = os.environ.get("WEB_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_WORKERS", max(2, 2 * multiprocessing.cpu_count())))
worker_class = os.environ.get("WEB_WORKER_CLASS", "sync")
threads = int(os.environ.get("WEB_THREADS", 4))
timeout = int(os.environ.get("WEB_TIMEOUT", 60))
graceful_timeout = 30
# Recycle workers now and then (a slow leak never grows without bound), not all at once.
max_requests = 2000
max_requests_jitter = 200
accesslog = os.environ.get("WEB_ACCESS_LOG", "-") or None  # "" turns it off (benchmarks)
# The access log names the page, never its query string (%(U)s): searches hold names and addresses.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s'
