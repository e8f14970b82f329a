"""A task travels through the configured broker (Redis in CI) to a real worker and back."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from privacyops.celery import app as celery_app
from privacyops.tasks import ping


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_task_round_trip_through_the_broker_and_a_real_worker():
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = ping.delay()
        assert result.get(timeout=30) == "pong"

    if settings.REDIS_URL:
        assert celery_app.conf.broker_url.startswith("redis://")
