"""Tests: PostgreSQL and Redis when DATABASE_URL / REDIS_URL point at them, else SQLite and the
file-system broker under a throwaway var folder. Only overrides of ``base``."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-real-deployment")
os.environ.setdefault("PRIVACYOPS_VAR_DIR", tempfile.mkdtemp(prefix="privacyops-test-"))
os.environ["PRIVACYOPS_READ_DOT_ENV"] = "false"
if "DOCUMENT_KEYS" not in os.environ:
    from cryptography.fernet import Fernet

    os.environ["DOCUMENT_KEYS"] = Fernet.generate_key().decode()

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The portal's counters per test process (cleared before each test by tests/conftest.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Reminder digests retried quickly in tests (seconds, not minutes).
REMINDER_RETRY_BACKOFF = 1
REMINDER_MAX_RETRIES = 2

# SQLite: test on a file, as `make run` does, not on the shared in-memory database. The in-memory
# one locks whole tables and fails at once when a Celery worker thread writes while a test reads;
# a file waits (busy timeout) like the real thing.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
# The read replica as Django's test mirror of default (issue 16): the same database through its
# own connection. Off unless a test turns REPLICA_READS on (and asks for both databases).
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
REPLICA_READS = False
