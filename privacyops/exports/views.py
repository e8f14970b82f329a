"""The user's exports (issue 16): their list with progress, and the download of a ready file."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from privacyops.exports import registry, services
from privacyops.exports.models import ACTIVE_STATUSES, Export

LIST_SIZE = 50
REFRESH_MINUTES = 30


@require_GET
def export_list(request, admin_site):
    """The files the user asked for, newest first: what, when, status, progress, download until
    when. Reloads itself every few seconds while one is being made."""
    exports = list(Export.objects.filter(created_by=request.user).select_related("organization")[:LIST_SIZE])
    now = timezone.now()
    for export in exports:
        export.kind_label = registry.label(export.kind)
        export.waiting_too_long = services.waiting_too_long(export, now)
    context = {
        **admin_site.each_context(request),
        "title": gettext("My exports"),
        "exports": exports,
        # Reloads while a file is on its way — not for ever: a page left open must not keep an idle
        # session alive (nor reload for hours when no worker takes files).
        "refresh": any(
            export.status in ACTIVE_STATUSES
            and not export.waiting_too_long
            and now - export.created_at < dt.timedelta(minutes=REFRESH_MINUTES)
            for export in exports
        ),
        "started": request.GET.get("started", ""),
        "keep_days": settings.EXPORT_KEEP_DAYS,
    }
    return TemplateResponse(request, "privacyops/exports.html", context)


def started(request, export) -> HttpResponseRedirect:
    """After an export was asked for: the list, with what happens next said."""
    messages.success(
        request,
        gettext("“%(title)s” is being made. It appears here when it is ready to download.") % {"title": export.title},
    )
    return HttpResponseRedirect(f"{reverse('admin:exports')}?started={export.pk}")


@require_POST
def export_discard(request, admin_site, export_id: int):
    """Cancel a waiting export of the user's own, or delete its made file now (404 for anyone else's)."""
    try:
        export = services.export_discard(actor=request.user, export_id=export_id)
    except Export.DoesNotExist:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        done = (
            gettext("“%(title)s” was cancelled.")
            if export.status == "cancelled"
            else gettext("“%(title)s” was deleted.")
        )
        messages.success(request, done % {"title": export.title})
    return HttpResponseRedirect(reverse("admin:exports"))


@require_GET
def export_download(request, admin_site, export_id: int):
    """A ready file of the user's own (404 for anyone else's), streamed from its sealed pieces;
    written to the access log as its kind says, each time it is downloaded."""
    try:
        export = services.downloadable(actor=request.user, export_id=export_id)
    except Export.DoesNotExist:
        raise Http404 from None
    except ValidationError as error:  # not ready, past its time; PermissionDenied is the 403 page
        messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(reverse("admin:exports"))
    try:
        pieces = services.export_file(export)  # opened and its first piece checked
    except services.FileUnreadable:
        messages.error(request, gettext("The stored file is missing or damaged. Ask for it again."))
        return HttpResponseRedirect(reverse("admin:exports"))
    registry.get(export.kind).log(request, export)  # the file leaves now
    response = StreamingHttpResponse(pieces, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.download_name}"'
    response["Content-Length"] = str(export.size)
    return response
