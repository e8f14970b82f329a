"""The Celery app. Configuration lives in Django settings under the ``CELERY_`` prefix."""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "privacyops.settings.base")

app = Celery("privacyops")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_broker_folders(transport_options: dict) -> None:
    """kombu's file-system transport needs its folders to exist before anyone connects."""
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if transport_options.get(key):
            Path(transport_options[key]).mkdir(parents=True, exist_ok=True)


@app.on_after_configure.connect
def _prepare_embedded_broker(sender, **kwargs):
    ensure_broker_folders(sender.conf.broker_transport_options or {})
    backend = sender.conf.result_backend or ""
    if backend.startswith("file://"):
        Path(backend.removeprefix("file://")).mkdir(parents=True, exist_ok=True)
