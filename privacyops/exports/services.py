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
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import Q
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
    """Where export files are kept: the ``exports`` storage (local disk or object storage)."""
    return storages["exports"]


def _scope_of(user) -> frozenset[int]:
    return registry.organization_ids(user)


def export_start(
    *, actor, kind: str, title: str, params: dict, organization=None, scope=None, language: str = ""
) -> Export:
    """Record an export asked for by ``actor`` and queue it (after the transaction commits).

    ``params`` are what the kind's ``build`` reads (filters, a period, chosen ids); ``title`` says
    what the file is in the user's list (never personal data); ``scope``: the organization ids the
    file holds data of (default: every organization the user has when the file is made) — the user
    must still have all of them to download it. Raises ``PermissionDenied`` without the kind's
    permission, ``ValidationError`` when the user already has ``EXPORT_MAX_ACTIVE`` exports waiting
    or being made (counted under a lock on the user: parallel requests cannot pass it together)."""
    spec = registry.get(kind)
    if not actor.has_perm(spec.permission):
        raise PermissionDenied
    params = dict(params)
    if scope is not None:
        params["scope"] = sorted(scope)
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
        active = Export.objects.filter(created_by=actor, status__in=ACTIVE_STATUSES).count()
        if active >= settings.EXPORT_MAX_ACTIVE:
            raise ValidationError(
                gettext("You already have %(n)s files being made. Wait until one is ready, then ask again.")
                % {"n": active}
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
    except Exception:  # broker down: said at once, and the file does not hold a place in the user's limit
        logger.exception("could not queue export %s", export_id)
        Export.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
            status=ExportStatus.FAILED,
            error=gettext("The file could not be handed to the workers. Ask for it again in a moment."),
            finished_at=timezone.now(),
            expires_at=timezone.now() + dt.timedelta(days=settings.EXPORT_KEEP_DAYS),
        )


class _Progress:
    def __init__(self, export: Export, started_at):
        self.export = export
        self.started_at = started_at
        self.written_at = 0.0

    def __call__(self, done: int, total: int | None = None) -> None:
        self.export.rows_done = done
        if total is not None:
            self.export.rows_total = total
        now = time.monotonic()
        if now - self.written_at >= PROGRESS_EVERY or total is not None:
            self.written_at = now
            Export.objects.filter(pk=self.export.pk, status=ExportStatus.RUNNING, started_at=self.started_at).update(
                rows_done=self.export.rows_done, rows_total=self.export.rows_total
            )


def export_run(*, export_id: int) -> Export | None:
    """Make the file of a waiting export (the worker's task). Claims the job first — a job
    delivered twice is made once; a job whose worker died (running past ``EXPORT_RUN_LEASE_MINUTES``)
    is taken over —, builds it as its user in their language, seals it piece by piece through a
    temporary file (memory stays bounded whatever its size) into the ``exports`` storage, and marks
    it done with its size and expiry — only if the job is still this run's (not cancelled, failed
    by the purge or taken over meanwhile; else the file is removed). A failure marks it failed with
    the reason. Returns the export, or ``None`` when there was nothing to do."""
    started_at = timezone.now()
    lease = started_at - dt.timedelta(minutes=settings.EXPORT_RUN_LEASE_MINUTES)
    claimed = (
        Export.objects.filter(pk=export_id)
        .filter(Q(status=ExportStatus.QUEUED) | Q(status=ExportStatus.RUNNING, started_at__lt=lease))
        .update(status=ExportStatus.RUNNING, started_at=started_at)
    )
    if not claimed:
        return None
    mine = Export.objects.filter(pk=export_id, status=ExportStatus.RUNNING, started_at=started_at)
    export = Export.objects.select_related("created_by", "organization").get(pk=export_id)
    stored = ""
    try:
        spec = registry.get(export.kind)
        if not export.created_by.is_active or not export.created_by.has_perm(spec.permission):
            raise PermissionDenied(gettext("The user who asked for this file may no longer make it."))
        if "scope" not in export.params:  # what the file can hold: the user's organizations now
            export.params["scope"] = sorted(_scope_of(export.created_by))
            mine.update(params=export.params)
        name = f"{secrets.token_hex(16)}.sealed"
        progress = _Progress(export, started_at)
        with tempfile.TemporaryFile() as sealed, translation.override(export.language), replica_reads():
            size = sealed_files.seal_pieces(spec.build(export, progress), sealed)
            sealed.seek(0)
            stored = storage().save(name, File(sealed, name=name))
    except Exception as error:
        logger.exception("export %s failed", export_id)
        if isinstance(error, ValidationError):
            reason = " ".join(error.messages)
        elif isinstance(error, PermissionDenied):
            reason = str(error)
        else:
            reason = gettext(
                "The file could not be made (%(error)s). Ask for it again; if it fails again, "
                "tell your system administrator."
            ) % {"error": type(error).__name__}
        mine.update(
            status=ExportStatus.FAILED,
            error=reason or gettext("The file could not be made."),
            finished_at=timezone.now(),
            expires_at=timezone.now() + dt.timedelta(days=settings.EXPORT_KEEP_DAYS),
        )
        export.refresh_from_db()
        return export
    now = timezone.now()
    done = mine.update(
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
    if not done:  # cancelled, failed by the purge or taken over while it was being made
        storage().delete(stored)
        return None
    export.refresh_from_db()
    return export


def _safe_name(export: Export) -> str:
    base = export.params.get("file_stem") or f"{export.kind}-{timezone.localtime(export.created_at):%Y%m%d-%H%M}"
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in base)[:120]


def downloadable(*, actor, export_id: int) -> Export:
    """The user's own export, ready, within its kept period, its kind's permission and its scope
    (every organization the file holds data of is still the user's); raises ``Export.DoesNotExist``
    for another user's or an unknown export (never says which), ``PermissionDenied`` when the
    permission or an organization was taken away, ``ValidationError`` when not ready, past its
    kept period, or of a kind no longer offered."""
    export = Export.objects.get(pk=export_id, created_by=actor)
    if export.status != ExportStatus.DONE or not export.file_name or export.expires_at <= timezone.now():
        raise ValidationError(gettext("This file is not ready, or was deleted after its kept period."))
    try:
        spec = registry.get(export.kind)
    except KeyError:
        raise ValidationError(gettext("This kind of file is no longer offered.")) from None
    if not actor.has_perm(spec.permission) or not set(export.params.get("scope", ())) <= _scope_of(actor):
        raise PermissionDenied
    return export


def export_file(export: Export) -> Iterator[bytes]:
    """The plain bytes of a ready export, piece by piece: the file is opened and its first piece
    checked before anything is returned, so a missing or broken file is an error here
    (``FileUnreadable``: the export is marked failed), never a download cut short."""
    try:
        handle = storage().open(export.file_name, "rb")
    except (FileNotFoundError, OSError):
        _unreadable(export)
    pieces = sealed_files.unseal_pieces(handle)
    try:
        first = next(pieces)
    except (sealed_files.SealBroken, StopIteration, OSError):
        handle.close()
        _unreadable(export)

    def stream():
        try:
            yield first
            yield from pieces
        finally:
            handle.close()

    return stream()


class FileUnreadable(Exception):
    """An export's stored file is missing or does not open (deleted, damaged or tampered with)."""


def _unreadable(export: Export):
    logger.error("export %s: its stored file is missing or does not open", export.pk)
    Export.objects.filter(pk=export.pk).update(
        status=ExportStatus.FAILED,
        error=gettext("The stored file is missing or damaged. Ask for it again."),
    )
    raise FileUnreadable(export.pk)


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
