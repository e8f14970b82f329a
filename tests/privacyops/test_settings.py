import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def test_japanese_and_tokyo_by_default():
    assert settings.LANGUAGE_CODE == "ja"
    assert dict(settings.LANGUAGES).keys() == {"ja", "en"}
    assert settings.TIME_ZONE == "Asia/Tokyo"
    assert settings.USE_TZ is True
    assert settings.CELERY_TIMEZONE == "Asia/Tokyo"


def _manage(*args, env_overrides):
    dropped = {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(env_overrides, PRIVACYOPS_READ_DOT_ENV="false")
    return subprocess.run(  # noqa: S603 — our own manage.py with fixed arguments
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, capture_output=True, text=True, cwd=ROOT
    )


# A production deployment as far as the checks can tell (its key, its host, Redis for the cache).
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "privacyops.settings.production",
    "SECRET_KEY": "x7#kq9v!m2p$w8z@r4t&y6u*i1o^e3a%s5d-f0g+h=j_l;c:b.n,LONG-ENOUGH-KEY",
    "ALLOWED_HOSTS": "privacyops.example.jp",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def test_production_settings_pass_check_deploy_without_warnings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={
            **PRODUCTION,
        },
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_check_deploy_fails_without_a_shared_cache():
    """The portal counts wrong PINs and attempts per address in the cache: several web processes must
    share it (issue 14), or each would count on its own."""
    result = _manage(
        "check",
        "--deploy",
        env_overrides={
            **PRODUCTION,
            "REDIS_URL": "",
            "CACHE_URL": "",
        },
    )

    assert result.returncode != 0
    assert "privacyops.E003" in result.stdout + result.stderr


def test_production_refuses_to_start_without_secret_key():
    result = _manage(
        "check", env_overrides={"DJANGO_SETTINGS_MODULE": "privacyops.settings.production", "ALLOWED_HOSTS": "x"}
    )

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_check_deploy_fails_without_a_document_key():
    """Identity-document files are stored encrypted: no key, no deployment (issue 12)."""
    result = _manage(
        "check",
        "--deploy",
        env_overrides={
            **PRODUCTION,
            "DOCUMENT_KEYS": "",
        },
    )
    assert result.returncode != 0
    assert "privacyops.E001" in result.stdout + result.stderr


def _settings_value(expression: str, env_overrides: dict) -> str:
    """``expression`` evaluated in a ``manage.py shell`` under the given environment."""
    result = _manage(
        "shell", "-c", f"from django.conf import settings; print({expression})", env_overrides=env_overrides
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_several_web_hosts_keep_files_in_object_storage_when_configured():
    """Issue 16: with OBJECT_STORAGE_BUCKET the identity-document files and the export files go to
    S3-compatible storage (django-storages), private; without it, to the local disk."""
    shown = (
        "[settings.STORAGES[k]['BACKEND'] for k in ('documents', 'exports')], settings.STORAGES['exports']['OPTIONS']"
    )
    local = _settings_value(shown, {**PRODUCTION, "OBJECT_STORAGE_BUCKET": ""})
    assert local.count("FileSystemStorage") == 2 and "media/exports" in local
    remote = _settings_value(
        shown,
        {**PRODUCTION, "OBJECT_STORAGE_BUCKET": "desk-files", "OBJECT_STORAGE_ENDPOINT_URL": "https://s3.example.jp"},
    )
    assert remote.count("storages.backends.s3.S3Storage") == 2
    assert "'bucket_name': 'desk-files'" in remote and "'location': 'exports'" in remote
    assert "'default_acl': 'private'" in remote and "https://s3.example.jp" in remote


def test_a_connection_pool_replaces_kept_connections_when_asked():
    shown = (
        "settings.DATABASES['default'].get('OPTIONS', {}).get('pool'), settings.DATABASES['default']['CONN_MAX_AGE']"
    )
    pooled = _settings_value(
        shown,
        {
            **PRODUCTION,
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/x",
            "DB_POOL_MAX_SIZE": "8",
            "CONN_MAX_AGE": "60",
        },
    )
    assert pooled == "{'min_size': 1, 'max_size': 8, 'timeout': 10} 0"
