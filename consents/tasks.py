"""Celery tasks of the consents app: thin adapters that call a service."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from consents import services


@shared_task(name="consents.records_purge")
def records_purge(today: str | None = None) -> int:
    """Beat, every night (Asia/Tokyo): erase the records of provision and receipt whose
    retention ended (PPC Rules Arts. 21, 25); each erasure is in the audit trail."""
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    return services.records_purge(today=day)
