"""Base settings, read from the environment (django-environ).

Defaults are the laptop's: SQLite and a file-system broker under ``var/``, e-mail written to
``var/mail/``. ``production.py`` and ``test.py`` override; they never copy this module.
Every variable is documented in ``.env.example``.
"""

import datetime as dt
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if env.bool("PRIVACYOPS_READ_DOT_ENV", default=True) and (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

# Everything the running site writes locally: SQLite file, broker folders, mail, media.
VAR_DIR = Path(env.str("PRIVACYOPS_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)

# SECRET_KEY comes from the environment. Only with DEBUG on, a random development key is made
# once and kept in var/ (never in the code, never committed).
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    _dev_key_file = VAR_DIR / "dev-secret-key"
    if not _dev_key_file.exists():
        from django.core.management.utils import get_random_secret_key

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        _dev_key_file.write_text(get_random_secret_key())
        _dev_key_file.chmod(0o600)
    SECRET_KEY = _dev_key_file.read_text().strip()

# Identity-document files are kept encrypted (privacyops.sealed_files): Fernet keys, newest first.
# Only with DEBUG on, a development key is made once in var/ when none is set.
DOCUMENT_KEYS = env.list("DOCUMENT_KEYS", default=[])
if not DOCUMENT_KEYS and DEBUG:
    from privacyops.sealed_files import dev_key

    DOCUMENT_KEYS = [dev_key(VAR_DIR)]
# Largest identity-document file accepted (megabytes); PDF, JPEG or PNG only.
DOCUMENT_FILE_MAX_MB = env.int("DOCUMENT_FILE_MAX_MB", default=10)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The refusal of a stale form in the admin's frame, or the requester portal's (privacyops.views).
CSRF_FAILURE_VIEW = "privacyops.views.csrf_failure"
# Absolute address of the site, for links in e-mails (no request there).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "privacyops.apps.PrivacyOpsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "django_filters",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_zxcvbn_password_validator",  # its messages in Japanese
    "privacyops.apps.PrivacyOpsConfig",
    "privacyops.audit.apps.AuditConfig",
    "privacyops.exports.apps.ExportsConfig",
    "requests_app.apps.RequestsAppConfig",
    "consents.apps.ConsentsConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # After authentication: the signed-in user's own language wins over the browser's.
    "privacyops.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Nothing but the second-factor pages until the signed-in user gave it (privacyops.two_factor).
    "privacyops.two_factor.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: refuses logins while a username is locked out.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "privacyops.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "privacyops.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run` has web, worker and beat writing one file: take the write lock when a transaction
    # begins (no lock-upgrade deadlock, the busy timeout applies) and let readers not block writers.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# A kept connection is checked before a request reuses it (a restarted PostgreSQL, a dropped link).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = DATABASES["default"]["CONN_MAX_AGE"] != 0
# Or a connection pool per process (psycopg_pool, issue 16) for threaded workers: DB_POOL_MAX_SIZE
# connections at most (0: no pool). Django refuses a pool together with kept connections.
DB_POOL_MAX_SIZE = env.int("DB_POOL_MAX_SIZE", default=0)
if DB_POOL_MAX_SIZE and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DB_POOL_MAX_SIZE,
        "timeout": env.int("DB_POOL_TIMEOUT", default=10),
    }
# A read replica (issue 16): reports, exports and the audit trail read from it (privacyops.db).
if env.str("REPLICA_DATABASE_URL", default=""):
    DATABASES["replica"] = env.db("REPLICA_DATABASE_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = DATABASES["default"]["CONN_HEALTH_CHECKS"]
REPLICA_READS = "replica" in DATABASES
DATABASE_ROUTERS = ["privacyops.db.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Content-Security-Policy (django-csp): our own scripts, styles and images only; the letter page's
# style block carries the request's nonce. No inline handlers anywhere (privacyops/static/po.js).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

AUTH_USER_MODEL = "privacyops.User"
# Lockout after repeated failed logins (django-axes): AXES_FAILURE_LIMIT failures for a username from
# one address lock it for AXES_COOLOFF_MINUTES; failures and lockouts are in the audit trail.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "privacyops/locked_out.html"
# The client's address for the lockout and the access log (privacyops.audit.access.client_ip).
# Behind a reverse proxy: the header it overwrites with the client's address, e.g. HTTP_X_REAL_IP.
CLIENT_IP_HEADER = env.str("CLIENT_IP_HEADER", default="")
AXES_CLIENT_IP_CALLABLE = "privacyops.audit.access.client_ip"
LOGIN_URL = "admin:login"
# Two-factor login (TOTP, django-otp): required of every staff user when OTP_REQUIRED is on (always
# under production settings); otherwise only of users who enrolled (Two-factor login, top right).
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=False)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="PrivacyOps")

# Staff sessions end after SESSION_IDLE_MINUTES without a request (default 30): each request moves
# the end on (SESSION_SAVE_EVERY_REQUEST), so only an idle session expires.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_SAVE_EVERY_REQUEST = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Guessability (zxcvbn): refuses aaaaaaaaaaaa, PrivacyOps2026, 田中美咲19900101 that pass the rules above.
    {"NAME": "django_zxcvbn_password_validator.ZxcvbnPasswordValidator"},
    # The same rules on the password with full-width letters and digits folded (ｐａｓｓｗｏｒｄ１２３４).
    {"NAME": "privacyops.passwords.FoldedPasswordValidator"},
]
# zxcvbn's score, 0–4: 4 is about 10^10 guesses or more (a staff account opens identity documents).
PASSWORD_MINIMAL_STRENGTH = 4
# Words a staff password must not be built on, besides the user's own names and e-mail.
PASSWORD_EXTRA_DICTIONARY = [
    "privacyops", "privacy", "personal", "desk", "madoguchi", "kojinjoho", "password",
    "プライバシー", "オプス", "個人情報", "窓口", "お問い合わせ", "パスワード",
]  # fmt: skip

# Internationalization: Japanese first, English selectable per user.
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
# Dates typed in Japanese (Django's ja locale defines none): 2026-12-01, 2026/12/01, 2026.12.01.
# English keeps its own locale's formats.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"]
# Dates shown one way on every page, in both languages (2026-12-24, 2026-12-24 09:30).
FORMAT_MODULE_PATH = ["privacyops.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "privacyops" / "static"]
MEDIA_ROOT = VAR_DIR / "media"
# "documents": sealed identity-document files, never under a URL (no base_url, no route serves
# MEDIA_ROOT); read only through the permission-checked view that writes the access log.
DOCUMENT_STORAGE = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(MEDIA_ROOT / "documents"), "file_permissions_mode": 0o600},
}
# "exports": files made by export jobs (issue 16), sealed in pieces, deleted after EXPORT_KEEP_DAYS;
# served only to the user who asked, through the download view that writes the access log.
EXPORT_STORAGE = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(MEDIA_ROOT / "exports"), "file_permissions_mode": 0o600},
}
# Several web hosts (issue 16): both kept in object storage (S3 or compatible, django-storages)
# when OBJECT_STORAGE_BUCKET is set; the files are sealed before they leave (privacyops.sealed_files)
# and are only ever read back through the permission-checked views, never through a bucket URL.
OBJECT_STORAGE_BUCKET = env.str("OBJECT_STORAGE_BUCKET", default="")
if OBJECT_STORAGE_BUCKET:

    def _object_storage(location: str) -> dict:
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": OBJECT_STORAGE_BUCKET,
                "location": location,
                "endpoint_url": env.str("OBJECT_STORAGE_ENDPOINT_URL", default="") or None,
                "region_name": env.str("OBJECT_STORAGE_REGION", default="") or None,
                "access_key": env.str("OBJECT_STORAGE_ACCESS_KEY", default="") or None,
                "secret_key": env.str("OBJECT_STORAGE_SECRET_KEY", default="") or None,
                "default_acl": "private",
                "file_overwrite": False,
                "querystring_auth": True,
            },
        }

    DOCUMENT_STORAGE = _object_storage("documents")
    EXPORT_STORAGE = _object_storage("exports")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "documents": DOCUMENT_STORAGE,
    "exports": EXPORT_STORAGE,
}
# The start page's 12-month figures (received per month by kind, answered on time) are counted at
# most once per this many seconds per set of organizations (issue 16); the page says when.
DASHBOARD_FIGURES_SECONDS = env.int("DASHBOARD_FIGURES_SECONDS", default=300)
# Export jobs (issue 16): a file is kept this many days after it was made; a user has at most
# EXPORT_MAX_ACTIVE files waiting or being made; a job no worker finished within
# EXPORT_STUCK_HOURS is marked failed.
EXPORT_KEEP_DAYS = env.int("EXPORT_KEEP_DAYS", default=7)
EXPORT_MAX_ACTIVE = env.int("EXPORT_MAX_ACTIVE", default=5)
EXPORT_STUCK_HOURS = env.int("EXPORT_STUCK_HOURS", default=6)
# A file still waiting after this many minutes: the exports page says no worker is taking files.
EXPORT_WAIT_WARNING_MINUTES = env.int("EXPORT_WAIT_WARNING_MINUTES", default=5)
# A file being made for longer than this is taken over by the next delivery of its task (its worker
# died); longer than the longest export (the whole trail of 1.6M entries: about 7 minutes here).
EXPORT_RUN_LEASE_MINUTES = env.int("EXPORT_RUN_LEASE_MINUTES", default=60)

# E-mail: files under var/mail/ unless told otherwise, so a person can read what was sent.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# Below the web worker's timeout (gunicorn --timeout 60 in the Dockerfile): a stuck SMTP relay gives
# the desk "could not be sent", never a killed worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="PrivacyOps <privacyops@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The cache holds the requester portal's counters (wrong PINs per reference, attempts per address;
# django-ratelimit): Redis at CACHE_URL (default: REDIS_URL), shared by every web process; otherwise
# the memory of the one process `make run` starts (check --deploy refuses that, privacyops.E003).
CACHE_URL = env.str("CACHE_URL", default=env.str("REDIS_URL", default=""))
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL, "KEY_PREFIX": "po"}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "privacyops"}
    )
}

# Requester portal (issue 14). A PIN typed wrong PORTAL_PIN_FAILURES times for one reference from one
# address, or PORTAL_PIN_FAILURES_ALL times from any, locks that reference for up to
# PORTAL_LOCK_MINUTES (whether or not the reference exists); one address may try
# PORTAL_ATTEMPTS_PER_HOUR references and PINs an hour, and send PORTAL_SUBMISSIONS_PER_HOUR forms
# (and as many documents from status pages). A case takes PORTAL_MAX_ONLINE_DOCUMENTS sent online.
PORTAL_PIN_FAILURES = env.int("PORTAL_PIN_FAILURES", default=5)
PORTAL_PIN_FAILURES_ALL = env.int("PORTAL_PIN_FAILURES_ALL", default=50)
PORTAL_MAX_ONLINE_DOCUMENTS = env.int("PORTAL_MAX_ONLINE_DOCUMENTS", default=12)
PORTAL_LOCK_MINUTES = env.int("PORTAL_LOCK_MINUTES", default=30)
PORTAL_ATTEMPTS_PER_HOUR = env.int("PORTAL_ATTEMPTS_PER_HOUR", default=30)
PORTAL_SUBMISSIONS_PER_HOUR = env.int("PORTAL_SUBMISSIONS_PER_HOUR", default=10)
# A portal form is refused above this size (all files together), before it is read.
PORTAL_MAX_REQUEST_MB = env.int("PORTAL_MAX_REQUEST_MB", default=40)
PORTAL_MAX_FILES = 6
# The requester's pages stay open this long without a request (then the PIN is asked again).
PORTAL_SESSION_MINUTES = env.int("PORTAL_SESSION_MINUTES", default=15)

# Celery: Redis when REDIS_URL (or CELERY_BROKER_URL) is set, else kombu's file-system
# transport under var/broker/, which needs no server process.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://localhost/")
CELERY_BROKER_FOLDER = VAR_DIR / "broker"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "queue"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "queue"),
        "processed_folder": str(CELERY_BROKER_FOLDER / "processed"),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {}
)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or f"file://{VAR_DIR / 'celery-results'}")
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The worker logs through LOGGING above (its filter drops query strings), not handlers of its own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The static beat schedule (exactly one beat runs it), in Asia/Tokyo time.
from celery.schedules import crontab  # noqa: E402

# Reminders (SPEC §13): every morning; organizations whose calendar says "closed" are skipped.
REMINDER_HOUR = env.int("REMINDER_HOUR", default=9)
REMINDER_MINUTE = env.int("REMINDER_MINUTE", default=0)
# A digest lists at most this many cases per section; the rest are counted, with a link to the
# filtered list (issue 16: readable at any desk size; each reminder is still recorded once).
REMINDER_DIGEST_SECTION_LIMIT = env.int("REMINDER_DIGEST_SECTION_LIMIT", default=20)
# Exponential backoff base (seconds) and bound for SMTP retries of a digest.
REMINDER_RETRY_BACKOFF = env.int("REMINDER_RETRY_BACKOFF", default=30)
REMINDER_MAX_RETRIES = env.int("REMINDER_MAX_RETRIES", default=6)
CELERY_BEAT_SCHEDULE: dict = {
    "reminder-sweep": {
        "task": "requests_app.reminder_sweep",
        "schedule": crontab(hour=REMINDER_HOUR, minute=REMINDER_MINUTE),
    },
    "purge-expired": {
        "task": "requests_app.purge_expired",
        "schedule": crontab(hour=env.int("PURGE_HOUR", default=3), minute=30),
    },
    # Export files past their kept period (issue 16).
    "exports-purge": {"task": "privacyops.exports_purge", "schedule": crontab(minute=15)},
    # Records of provision and receipt past their retention end (SPEC §11).
    "purge-records": {
        "task": "consents.records_purge",
        "schedule": crontab(hour=env.int("PURGE_HOUR", default=3), minute=45),
    },
}

# Audit history (SPEC §12): reasons are free text; reverting bypasses services, so it is off;
# reading history is a permission managers hold.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # No search terms in the logs: query strings are dropped from every line (privacyops.logging).
    "filters": {"no_query_strings": {"()": "privacyops.logging.DropQueryStrings"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["no_query_strings"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The development server's request lines go through the same filter (Django's default
        # handler for them would keep the query strings).
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
