"""Export jobs: start one, run it in a worker, read its file, delete what is past its time.

Every job runs as the user who asked (``created_by``): the kind's ``build`` reads through that
user's scope. Reads go to the read replica when one is configured (``privacyops.db``).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import tempfile
import time
from collections.abc import Iterator

from celery import current_app
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from privacyops import sealed_files
from privacyops.db import replica_reads
from privacyops.exports import registry
from privacyops.exports.models import ACTIVE_STATUSES, Export, ExportStatus

logger = logging.getLogger(__name__)

RUN_TASK = "privacyops.export_run"
# Progress is written at most this often (seconds): one UPDATE, not one per row.
PROGRESS_EVERY = 1.0


def storage():
    return storages["exports"]


def export_start(*, actor, kind: str, title: str, params: dict, organization=None, language: str = "") -> Export:
    """Record an export asked for by ``actor`` and queue it (after the transaction commits).

    ``params`` are what the kind's ``build`` reads (filters, a period, chosen ids); ``title`` says
    what the file is in the user's list (never personal data). Raises ``PermissionDenied`` without
    the kind's permission, ``ValidationError`` when the user already has
    ``EXPORT_MAX_ACTIVE`` exports waiting or being made."""
    spec = registry.get(kind)
    if not actor.has_perm(spec.permission):
        raise PermissionDenied
    active = Export.objects.filter(created_by=actor, status__in=ACTIVE_STATUSES).count()
    if active >= settings.EXPORT_MAX_ACTIVE:
        raise ValidationError(
            gettext("You already have %(n)s files being made. Wait until one is ready, then ask again.") % {"n": active}
        )
    export = Export.objects.create(
        kind=kind,
        title=title[:200],
        created_by=actor,
        organization=organization,
        params=params,
        language=language or translation.get_language() or settings.LANGUAGE_CODE,
    )
    transaction.on_commit(lambda: _queue(export.pk))
    return export


def _queue(export_id: int) -> None:
    try:
        current_app.send_task(RUN_TASK, args=(export_id,))
    except Exception:  # broker down: the job stays "waiting"; the list says so and it can be asked again
        logger.exception("could not queue export %s", export_id)


class _Progress:
    def __init__(self, export: Export):
        self.export = export
        self.written_at = 0.0

    def __call__(self, done: int, total: int | None = None) -> None:
        self.export.rows_done = done
        if total is not None:
            self.export.rows_total = total
        now = time.monotonic()
        if now - self.written_at >= PROGRESS_EVERY or total is not None:
            self.written_at = now
            Export.objects.filter(pk=self.export.pk).update(
                rows_done=self.export.rows_done, rows_total=self.export.rows_total
            )


def export_run(*, export_id: int) -> Export | None:
    """Make the file of a waiting export (the worker's task). Claims the job first — a job
    delivered twice is made once —, builds it as its user in their language, seals it piece by
    piece through a temporary file (memory stays bounded whatever its size) into the ``exports``
    storage, and marks it done with its size and expiry; a failure marks it failed with the reason.
    Returns the export, or ``None`` when there was nothing to do."""
    claimed = Export.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    export = Export.objects.select_related("created_by", "organization").get(pk=export_id)
    try:
        spec = registry.get(export.kind)
        if not export.created_by.is_active or not export.created_by.has_perm(spec.permission):
            raise PermissionDenied(gettext("The user who asked for this file may no longer make it."))
        name = f"{secrets.token_hex(16)}.sealed"
        progress = _Progress(export)
        with tempfile.TemporaryFile() as sealed, translation.override(export.language), replica_reads():
            size = sealed_files.seal_pieces(spec.build(export, progress), sealed)
            sealed.seek(0)
            stored = storage().save(name, File(sealed, name=name))
    except Exception as error:
        logger.exception("export %s failed", export_id)
        reason = str(error) if isinstance(error, PermissionDenied | ValidationError) else type(error).__name__
        if isinstance(error, ValidationError):
            reason = " ".join(error.messages)
        Export.objects.filter(pk=export_id).update(
            status=ExportStatus.FAILED,
            error=reason or gettext("The file could not be made."),
            finished_at=timezone.now(),
            expires_at=timezone.now() + dt.timedelta(days=settings.EXPORT_KEEP_DAYS),
        )
        export.refresh_from_db()
        return export
    now = timezone.now()
    Export.objects.filter(pk=export_id).update(
        status=ExportStatus.DONE,
        file_name=stored,
        download_name=f"{_safe_name(export)}.{spec.extension}",
        content_type=spec.content_type,
        size=size,
        rows_done=progress.export.rows_done,
        rows_total=progress.export.rows_total,
        finished_at=now,
        expires_at=now + dt.timedelta(days=settings.EXPORT_KEEP_DAYS),
    )
    export.refresh_from_db()
    return export


def _safe_name(export: Export) -> str:
    base = export.params.get("file_stem") or f"{export.kind}-{timezone.localtime(export.created_at):%Y%m%d-%H%M}"
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in base)[:120]


def downloadable(*, actor, export_id: int) -> Export:
    """The user's own export, ready, still within its kind's permission and scope; raises
    ``Export.DoesNotExist`` for another user's or an unknown export (never says which),
    ``PermissionDenied`` when the scope was taken away, ``ValidationError`` when not ready."""
    export = Export.objects.get(pk=export_id, created_by=actor)
    spec = registry.get(export.kind)
    if not actor.has_perm(spec.permission) or (spec.allowed is not None and not spec.allowed(actor, export)):
        raise PermissionDenied
    if export.status != ExportStatus.DONE or not export.file_name:
        raise ValidationError(gettext("This file is not ready, or was deleted after its kept period."))
    return export


def export_file(export: Export) -> Iterator[bytes]:
    """The plain bytes of a ready export, piece by piece (``SealBroken``, ``FileNotFoundError``)."""
    with storage().open(export.file_name, "rb") as handle:
        yield from sealed_files.unseal_pieces(handle)


def export_discard(*, actor, export_id: int) -> Export:
    """The user's own export taken back: one still waiting is cancelled (a worker that takes it
    later does nothing); a made file is deleted now, before its kept period ends (a privacy desk
    removes a file once it has what it needed). Raises ``Export.DoesNotExist`` for another user's
    export, ``ValidationError`` for one being made right now (it can be deleted once made)."""
    with transaction.atomic():
        export = Export.objects.select_for_update().get(pk=export_id, created_by=actor)
        if export.status == ExportStatus.RUNNING:
            raise ValidationError(gettext("This file is being made: delete it once it is ready."))
        if export.status == ExportStatus.QUEUED:
            export.status = ExportStatus.CANCELLED
        elif export.status in (ExportStatus.DONE, ExportStatus.FAILED):
            if export.file_name:
                name = export.file_name
                transaction.on_commit(lambda: storage().delete(name))
            if export.status == ExportStatus.DONE:
                export.status = ExportStatus.EXPIRED
        export.file_name, export.params = "", {}
        export.expires_at = min(export.expires_at or timezone.now(), timezone.now())
        export.save(update_fields=["status", "file_name", "params", "expires_at"])
    return export


def exports_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the files of exports past their kept period (``EXPORT_KEEP_DAYS`` after they were
    made) and clear their filters; a made file's export is marked deleted, a failed one stays
    failed. A job waiting or running for longer than ``EXPORT_STUCK_HOURS`` is marked failed with
    the reason (its row kept as long as a file would be). Returns how many files were deleted."""
    now = now or timezone.now()
    stuck_before = now - dt.timedelta(hours=settings.EXPORT_STUCK_HOURS)
    Export.objects.filter(status__in=ACTIVE_STATUSES, created_at__lt=stuck_before).update(
        status=ExportStatus.FAILED,
        error=gettext("No worker finished this file in time."),
        finished_at=now,
        expires_at=now + dt.timedelta(days=settings.EXPORT_KEEP_DAYS),
    )
    deleted = 0
    for export in Export.objects.filter(
        status__in=(ExportStatus.DONE, ExportStatus.FAILED), expires_at__lte=now
    ).exclude(params={}, file_name=""):
        if export.file_name:
            storage().delete(export.file_name)
            deleted += 1
        status = ExportStatus.EXPIRED if export.status == ExportStatus.DONE else export.status
        Export.objects.filter(pk=export.pk).update(status=status, file_name="", params={})
    return deleted


def waiting_too_long(export: Export, now: dt.datetime | None = None) -> bool:
    """Whether a waiting export has waited longer than ``EXPORT_WAIT_WARNING_MINUTES`` (no worker
    is taking files: the page says whom to tell)."""
    now = now or timezone.now()
    return export.status == ExportStatus.QUEUED and now - export.created_at > dt.timedelta(
        minutes=settings.EXPORT_WAIT_WARNING_MINUTES
    )
