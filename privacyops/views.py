import logging

from django.conf import settings
from django.db import connection
from django.http import HttpResponseNotAllowed, JsonResponse
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.cache import never_cache
from django.views.i18n import set_language
from kombu import Connection

from privacyops.audit.models import AuditOp

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
        user._history_operation = AuditOp.LANGUAGE
        user.save(update_fields=["language"])
    return response


def csrf_failure(request, reason=""):
    """A form refused for its missing or stale security token (``CSRF_FAILURE_VIEW``): the admin's
    page for staff, the portal's own for the public pages under /portal/ (no admin frame there)."""
    template = "portal/403_csrf.html" if request.path.startswith("/portal/") else "403_csrf.html"
    return django_csrf_failure(request, reason=reason, template_name=template)
