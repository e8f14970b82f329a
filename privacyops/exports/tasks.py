"""Celery tasks of the export jobs: thin adapters that take ids."""

from celery import shared_task

from privacyops.exports import services


@shared_task(name=services.RUN_TASK, acks_late=True)
def export_run(export_id: int) -> str:
    """Make one export's file (claimed once: a redelivered task does nothing)."""
    export = services.export_run(export_id=export_id)
    return export.status if export else "skipped"


@shared_task(name="privacyops.exports_purge")
def exports_purge() -> int:
    """Beat, hourly: delete export files past their kept period."""
    return services.exports_purge()
