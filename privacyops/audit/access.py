"""The access log (SPEC §12): who looked at whose personal data, when and from where."""

from privacyops.audit.models import AccessLog


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
