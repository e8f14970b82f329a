"""The access log (SPEC §12): who looked at whose personal data, when and from where."""

import ipaddress

from django.conf import settings
from django.utils import timezone

from privacyops.audit.models import AccessKind, AccessLog


def client_ip(request) -> str | None:
    """The client's address, for the access log and django-axes alike (``AXES_CLIENT_IP_CALLABLE``).

    ``REMOTE_ADDR`` by default. Behind a reverse proxy every request comes from the proxy, so the
    lockout would lock everyone at once: set ``CLIENT_IP_HEADER`` to the header the proxy
    *overwrites* with its peer's address (nginx: ``proxy_set_header X-Real-IP $remote_addr;`` →
    ``HTTP_X_REAL_IP``). Never a header the client can set (X-Forwarded-For as sent): a value that
    is not one IP address falls back to ``REMOTE_ADDR``."""
    header = settings.CLIENT_IP_HEADER
    if header:
        value = (request.META.get(header) or "").strip()
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR") or None


def logged_path(request) -> str:
    """The page, without its query string: searches and filters may hold names, addresses or
    numbers, and the access log keeps none of them (SPEC §12)."""
    return request.path[:500]


def log_access(request, kind: str, *, case=None, organization=None) -> AccessLog:
    return AccessLog.objects.create(
        user=request.user,
        kind=kind,
        request=case,
        organization=organization if organization is not None else (case.organization if case is not None else None),
        path=logged_path(request),
        ip_address=client_ip(request),
    )


def _login_event(request, kind: str, username: str) -> AccessLog | None:
    """A failed login or a lockout in the audit trail: the user the username names (none when
    nobody has it), the page, the address. Written even if the login page is hammered."""
    if request is None:
        return None
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username or "").first()
    return AccessLog.objects.create(user=user, kind=kind, path=logged_path(request), ip_address=client_ip(request))


def _locked_earlier(request, username: str) -> bool:
    """Whether an earlier request already locked this username from this address (within the
    cool-off): then the present attempt is one refused during the lockout."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username or "").first()
    rows = AccessLog.objects.filter(
        kind=AccessKind.LOCKED_OUT,
        user=user,
        ip_address=client_ip(request),
        at__gte=timezone.now() - settings.AXES_COOLOFF_TIME,
    )
    own = getattr(request, "_po_lockout_row", None)
    return rows.exclude(pk=own).exists() if own else rows.exists()


def log_failed_login(sender, credentials=None, request=None, **kwargs) -> None:
    """``user_login_failed``: a wrong password (or unknown username) at the login page. An
    attempt refused during a lockout is one row, written by ``log_lockout``."""
    username = (credentials or {}).get("username", "")
    if request is not None and getattr(request, "axes_locked_out", False) and _locked_earlier(request, username):
        return
    _login_event(request, AccessKind.LOGIN_FAILED, username)


def log_lockout(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    """django-axes ``user_locked_out``: sent when the username is locked after repeated
    failures (one ``LOCKED_OUT`` row), and again at each attempt while it is locked (one
    ``LOGIN_REFUSED_LOCKED`` row each, and no failure row besides)."""
    if request is None:
        return
    if _locked_earlier(request, username or ""):
        _login_event(request, AccessKind.LOGIN_REFUSED_LOCKED, username or "")
        return
    row = _login_event(request, AccessKind.LOCKED_OUT, username or "")
    request._po_lockout_row = row.pk
