"""Two-factor staff login (TOTP, django-otp), issue 12.

After the password (django-axes counts its failures), a staff user proves the second factor: a
6-digit code from an authenticator app (RFC 6238 TOTP, ``django_otp.plugins.otp_totp``) or one of
ten single-use recovery codes (``otp_static``). ``SecondFactorMiddleware`` sends a signed-in user
who has not done so to the verification page, or to enrolment (a QR code) when they have no
authenticator yet, and lets nothing else through.

Required for every staff user when ``OTP_REQUIRED`` is on (always under production settings);
under ``make run`` it is optional, and required only of users who enrolled. Wrong codes slow down
the next attempt (django-otp's throttling: 1, 2, 4, … seconds) and are in the audit trail.

The django-otp pieces used: ``TOTPDevice``/``StaticDevice`` and their ``verify_token`` (with
throttling), ``django_otp.login`` (marks the session verified), ``OTPMiddleware``
(``request.user.is_verified()``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

# Session key: whether the signed-in user has a confirmed authenticator (set at login, enrolment
# and reset), so that a request needs no query to know whether the second factor is due.
ENROLLED_SESSION_KEY = "po_two_factor_enrolled"
RECOVERY_CODES = 10
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"


def enrolled(user) -> bool:
    """Whether ``user`` has a confirmed authenticator (one query)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def enrolled_in_session(request) -> bool:
    """``enrolled`` for the signed-in user, kept in the session (one query per session)."""
    session = request.session
    if ENROLLED_SESSION_KEY not in session:
        session[ENROLLED_SESSION_KEY] = enrolled(request.user)
    return bool(session[ENROLLED_SESSION_KEY])


def required(request) -> bool:
    """Whether the signed-in user of ``request`` must give the second factor: always when
    ``OTP_REQUIRED`` is on, else only once they enrolled."""
    return settings.OTP_REQUIRED or enrolled_in_session(request)


def remember_enrolment(sender, request, user, **kwargs) -> None:
    """``user_logged_in``: note in the new session whether the user has an authenticator."""
    if request is not None and hasattr(request, "session"):
        request.session[ENROLLED_SESSION_KEY] = enrolled(user)


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with ``RECOVERY_CODES`` new ones (10 characters of
    base32 each, single use) and return them: they are shown once and never again."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def reset(user) -> int:
    """Remove the user's authenticator and recovery codes (a lost phone): at the next login they
    enrol again. Returns how many devices were removed."""
    from django_otp import devices_for_user

    devices = list(devices_for_user(user, confirmed=None))
    for device in devices:
        device.delete()
    return len(devices)


def clean_code(value: str) -> str:
    """A code as typed: full-width digits and letters folded, spaces and hyphens dropped, lower case."""
    import unicodedata

    return "".join(ch for ch in unicodedata.normalize("NFKC", value or "") if ch not in " -\u3000\t").lower()


def is_totp_code(code: str) -> bool:
    """Six digits: a code from the app; anything else is tried as a recovery code."""
    return len(code) == 6 and code.isascii() and code.isdigit()
