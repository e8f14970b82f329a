"""System checks of the deployment (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def document_keys(app_configs, **kwargs):
    """Identity-document files need at least one valid Fernet key (``DOCUMENT_KEYS``)."""
    from cryptography.fernet import Fernet

    keys = [key.strip() for key in settings.DOCUMENT_KEYS if key.strip()]
    if not keys:
        return [
            Error(
                "DOCUMENT_KEYS is not set: identity-document files cannot be stored or read.",
                hint="Generate a key: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())' and set DOCUMENT_KEYS to it.",
                id="privacyops.E001",
            )
        ]
    errors = []
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except ValueError:
            errors.append(Error(f"Key {position} of DOCUMENT_KEYS is not a Fernet key.", id="privacyops.E002"))
    return errors


@register(Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    """The requester portal counts wrong PINs and attempts per address in the cache: with several
    web processes it must be one they share (Redis), or each process would count on its own."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("locmem.LocMemCache", "dummy.DummyCache")):
        return [
            Error(
                "The cache is not shared between web processes: the portal's PIN lockout and rate limits would "
                "count per process.",
                hint="Set REDIS_URL (or CACHE_URL) to a Redis server.",
                id="privacyops.E003",
            )
        ]
    return []
