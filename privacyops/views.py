import logging

from django.conf import settings
from django.db import connection
from django.http import HttpResponseNotAllowed, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.i18n import set_language
from kombu import Connection

logger = logging.getLogger(__name__)


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_broker() -> str:
    with Connection(
        settings.CELERY_BROKER_URL,
        transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        connect_timeout=2,
    ) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=3)
    return "ok"


@never_cache
def healthz(request):
    """Database and broker status: 200 when both answer, 503 otherwise."""
    status = {}
    for name, check in (("database", _check_database), ("broker", _check_broker)):
        try:
            status[name] = check()
        except Exception as exc:  # any failure of a dependency means "not healthy"
            logger.warning("healthz: %s unavailable: %s", name, exc)
            status[name] = "unavailable"
    healthy = all(value == "ok" for value in status.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", **status}, status=200 if healthy else 503)


def language_switch(request):
    """Django's set_language, plus the choice saved on the signed-in user."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    response = set_language(request)
    language = request.POST.get("language")
    user = request.user
    if user.is_authenticated and language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        user._change_reason = "language switched"
        user.save(update_fields=["language"])
    return response


# ------------------------------------------------------------------------------------------
# Audit trail (SPEC §12): for managers and auditors
# ------------------------------------------------------------------------------------------
AUDIT_PERMISSION = "requests_app.view_audit_trail"


@require_GET
def audit_trail(request, admin_site):
    """One timeline of every change and every view of personal data, filtered, newest first."""
    from django.core.exceptions import PermissionDenied
    from django.template.response import TemplateResponse
    from django.utils.translation import gettext

    from privacyops import audit

    if not request.user.has_perm(AUDIT_PERMISSION):
        raise PermissionDenied
    from privacyops.access import log_access
    from privacyops.models import AccessKind

    log_access(request, AccessKind.AUDIT)  # the trail shows personal data in its diffs
    trail = audit.AuditTrail(actor=request.user, data=request.GET)
    entries, next_cursor = [], None
    valid = trail.is_valid()  # an invalid filter is an error on the page, never an unfiltered list
    if valid:
        after = request.GET.get("after")
        entries, next_cursor = trail.page(audit.Cursor.decode(after) if after else None)
    query = request.GET.copy()
    query.pop("after", None)
    next_query = None
    if next_cursor is not None:
        query_next = query.copy()
        query_next["after"] = next_cursor.encode()
        next_query = query_next.urlencode()
    context = {
        **admin_site.each_context(request),
        "title": gettext("Audit trail"),
        "form": trail.form,
        "valid": valid,
        "entries": entries,
        "next_query": next_query,
        "export_query": query.urlencode(),
        "first_page": not request.GET.get("after"),
    }
    return TemplateResponse(request, "privacyops/audit_trail.html", context)


@require_GET
def audit_export(request, admin_site):
    """The filtered trail as CSV, streamed (every matching row, not only one page)."""
    from django.core.exceptions import PermissionDenied
    from django.http import HttpResponseBadRequest, StreamingHttpResponse
    from django.utils import timezone

    from privacyops import audit
    from privacyops.access import log_access
    from privacyops.models import AccessKind

    if not request.user.has_perm(AUDIT_PERMISSION):
        raise PermissionDenied
    trail = audit.AuditTrail(actor=request.user, data=request.GET)
    if not trail.is_valid():
        return HttpResponseBadRequest("; ".join(f"{k}: {' '.join(v)}" for k, v in trail.form.errors.items()))
    log_access(request, AccessKind.EXPORT)
    response = StreamingHttpResponse(audit.csv_lines(trail), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{timezone.localdate():%Y%m%d}.csv"'
    return response
