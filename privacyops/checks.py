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
