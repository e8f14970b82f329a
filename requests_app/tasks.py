"""Celery tasks: thin adapters that take ids (never personal data) and call a service."""

import datetime as dt

from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

from requests_app import services


@shared_task(name="requests_app.purge_expired")
def purge_expired(today: str | None = None) -> int:
    """Erase personal data of ended cases past their retention period (SPEC §14)."""
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    return len(services.purge_expired(today=day))


class DigestTask(Task):
    """After the last retry, the reminders are marked failed so managers see them."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        recipient_id = kwargs.get("recipient_id", args[0] if args else None)
        if recipient_id is not None:
            services.reminder_digest_fail(recipient_id=recipient_id, error=f"{type(exc).__name__}: {exc}")


# Every task that sends e-mail: acknowledged after it ran, SMTP and connection errors retried with
# exponential backoff and jitter, bounded (REMINDER_RETRY_BACKOFF, REMINDER_MAX_RETRIES).
MAIL_RETRIES = {
    "acks_late": True,
    "autoretry_for": services.SMTP_ERRORS,
    "retry_backoff": settings.REMINDER_RETRY_BACKOFF,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": settings.REMINDER_MAX_RETRIES,
}


@shared_task(name="requests_app.reminder_sweep")
def reminder_sweep(today: str | None = None) -> int:
    """Beat, every morning (Asia/Tokyo): claim today's reminders and queue the digests."""
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    return services.reminder_sweep(today=day).claimed


@shared_task(
    name="requests_app.reminder_digest_send",
    base=DigestTask,
    **MAIL_RETRIES,
)
def reminder_digest_send(recipient_id: int, day: str | None = None) -> int:
    """One digest e-mail for one person, with their reminders up to ``day`` (the sweep's day);
    SMTP errors are retried with exponential backoff."""
    today = dt.date.fromisoformat(day) if day else None
    return services.reminder_digest_send(recipient_id=recipient_id, today=today)


@shared_task(
    name="requests_app.portal_confirmation_send",
    **MAIL_RETRIES,
)
def portal_confirmation_send(request_id: int, language: str = "ja") -> bool:
    """The e-mail confirming a request sent online (the reference only); SMTP errors retried."""
    return services.portal_confirmation_send(request_id=request_id, language=language)


@shared_task(
    name="requests_app.portal_upload_notice_send",
    **MAIL_RETRIES,
)
def portal_upload_notice_send(request_id: int) -> int:
    """Tell the assignee (or the managers) that the requester sent a document online."""
    return services.portal_upload_notice_send(request_id=request_id)
