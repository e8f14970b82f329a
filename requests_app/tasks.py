"""Celery tasks: thin adapters that take ids (never personal data) and call a service."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from requests_app import services


@shared_task(name="requests_app.purge_expired")
def purge_expired(today: str | None = None) -> int:
    """Erase personal data of ended cases past their retention period (SPEC §14)."""
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    return len(services.purge_expired(today=day))
