"""The audit trail's CSV as an export job (issue 16): every matching row, made in a worker."""

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext, gettext_lazy

from privacyops.audit import trail
from privacyops.audit.access import log_access
from privacyops.audit.models import AccessKind
from privacyops.exports import registry

KIND = "audit_trail"
PERMISSION = "requests_app.view_audit_trail"


def build(export, progress):
    """The filtered trail (``params["query"]``: the trail page's query string) as CSV bytes, read
    as the user who asked; ``progress(entries, total)``."""
    timeline = trail.AuditTrail(actor=export.created_by, data=QueryDict(export.params.get("query", "")))
    if not timeline.is_valid():
        raise ValidationError(gettext("The trail's filter is no longer valid: nothing was exported."))
    progress(0, timeline.count())
    yield from registry.encoded(trail.csv_lines(timeline, progress=progress))


def log(request, export) -> None:
    log_access(request, AccessKind.EXPORT)


def register() -> None:
    from privacyops.audit import registry as audit_registry

    registry.register_scope(lambda user: audit_registry.scope().organization_ids(user))
    registry.register(
        registry.Kind(
            key=KIND,
            label=gettext_lazy("Audit trail (CSV)"),
            permission=PERMISSION,
            build=build,
            content_type="text/csv; charset=utf-8",
            extension="csv",
            log=log,
        )
    )
