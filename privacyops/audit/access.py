"""The access log (SPEC §12): who looked at whose personal data, when and from where."""

from privacyops.audit.models import AccessLog


def client_ip(request) -> str | None:
    """The client's address as the server sees it (behind a proxy: configure it to pass the real one)."""
    return request.META.get("REMOTE_ADDR") or None


# Query parameters that may hold what was searched for (a name, an e-mail): never logged, or the
# log would keep personal data past its retention.
FREE_TEXT_PARAMETERS = ("q", "case")


def logged_path(request) -> str:
    params = request.GET.copy()
    for name in FREE_TEXT_PARAMETERS:
        if name in params:
            params[name] = "…"
    query = params.urlencode(safe="…")
    return (f"{request.path}?{query}" if query else request.path)[:500]


def log_access(request, kind: str, *, case=None, organization=None) -> AccessLog:
    return AccessLog.objects.create(
        user=request.user,
        kind=kind,
        request=case,
        organization=organization if organization is not None else (case.organization if case is not None else None),
        path=logged_path(request),
        ip_address=client_ip(request),
    )
