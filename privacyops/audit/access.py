"""The access log (SPEC §12): who looked at whose personal data, when and from where."""

from privacyops.audit.models import AccessKind, AccessLog


def client_ip(request) -> str | None:
    """The client's address as the server sees it (behind a proxy: configure it to pass the real one)."""
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


def log_failed_login(sender, credentials=None, request=None, **kwargs) -> None:
    """``user_login_failed``: a wrong password (or unknown username) at the login page."""
    _login_event(request, AccessKind.LOGIN_FAILED, (credentials or {}).get("username", ""))


def log_lockout(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    """django-axes ``user_locked_out``: the username is locked after repeated failures."""
    _login_event(request, AccessKind.LOCKED_OUT, username or "")
