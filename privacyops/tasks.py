from celery import shared_task


@shared_task(name="privacyops.ping", ignore_result=False)
def ping() -> str:
    """Round trip through the broker and a worker; used by tests and operators."""
    return "pong"
