"""The audit trail pages (SPEC §12): for managers and auditors, read-only (GET only)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from privacyops.audit import exports, trail
from privacyops.audit.access import log_access
from privacyops.audit.history import build_timeline
from privacyops.audit.models import AccessKind
from privacyops.db import reads_from_replica
from privacyops.exports import services as export_services
from privacyops.exports import views as export_views

# ------------------------------------------------------------------------------------------
# Audit trail (SPEC §12): for managers and auditors
# ------------------------------------------------------------------------------------------
AUDIT_PERMISSION = "requests_app.view_audit_trail"


@require_GET
@reads_from_replica
def audit_trail(request, admin_site):
    """One timeline of every change and every view of personal data, filtered, newest first."""
    if not request.user.has_perm(AUDIT_PERMISSION):
        raise PermissionDenied
    log_access(request, AccessKind.AUDIT)  # the trail shows personal data in its diffs
    timeline = trail.AuditTrail(actor=request.user, data=request.GET)
    entries, next_cursor = [], None
    valid = timeline.is_valid()  # an invalid filter is an error on the page, never an unfiltered list
    if valid:
        after = request.GET.get("after")
        entries, next_cursor = timeline.page(trail.Cursor.decode(after) if after else None)
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
        "form": timeline.form,
        "valid": valid,
        "entries": entries,
        "next_query": next_query,
        "export_query": query.urlencode(),
        "first_page": not request.GET.get("after"),
        # One click between changes and page views (閲覧), the other filters kept.
        "views_toggle": [
            (label, value == request.GET.get("change_type", ""), _with(query, change_type=value))
            for value, label in (
                ("", gettext("Everything")),
                (trail.CHANGES, gettext("Changes only")),
                (trail.ACCESS_TYPE, gettext("Page views only")),
            )
        ],
    }
    return TemplateResponse(request, "privacyops/audit_trail.html", context)


def _with(query, **values) -> str:
    """``query`` (a QueryDict without the cursor) with ``values`` set (an empty value removed)."""
    changed = query.copy()
    for name, value in values.items():
        changed.pop(name, None)
        if value:
            changed[name] = value
    return changed.urlencode()


@require_POST
def audit_export(request, admin_site):
    """Start the filtered trail's CSV (every matching row, not only one page) as an export job:
    the filter is checked now, the file is made in a worker, the user's exports page follows it."""
    if not request.user.has_perm(AUDIT_PERMISSION):
        raise PermissionDenied
    timeline = trail.AuditTrail(actor=request.user, data=request.GET)
    if not timeline.is_valid():
        # Plain text: the refused values are the reader's own input, never markup on our origin.
        return HttpResponseBadRequest(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in timeline.form.errors.items()),
            content_type="text/plain; charset=utf-8",
        )
    query = request.GET.copy()
    query.pop("after", None)
    now = timezone.localtime()
    summary = timeline.summary()
    title = gettext("Audit trail") + (f" ({summary})" if summary else "") + f" {now:%Y-%m-%d %H:%M}"
    try:
        export = export_services.export_start(
            actor=request.user,
            kind=exports.KIND,
            title=title,
            params={"query": query.urlencode(), "file_stem": f"audit-{now:%Y%m%d-%H%M%S}"},
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(f"{reverse('admin:audit_trail')}?{query.urlencode()}")
    return export_views.started(request, export)


# ------------------------------------------------------------------------------------------
# One record's history (set-up records and staff users): the admin's "History" page
# ------------------------------------------------------------------------------------------
def record_history(request, model_admin, object_id):
    """The readable history of one record the user may see (the admin's scoped queryset): who,
    when, which operation, why, old → new with linked records by name and times in Asia/Tokyo."""
    obj = model_admin.get_object(request, object_id)
    if obj is None or not model_admin.has_view_or_change_permission(request, obj):
        raise PermissionDenied
    opts = model_admin.model._meta
    entries = build_timeline(
        [(opts.verbose_name, obj.history.filter(id=obj.pk).select_related("history_user"), lambda row: str(obj))]
    )
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("History of %(record)s") % {"record": obj},
        "opts": opts,
        "object": obj,
        "entries": entries,
    }
    return TemplateResponse(request, "privacyops/record_history.html", context)
