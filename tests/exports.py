"""Export jobs in tests: run what a POST started, as the worker would, and download its file."""

from django.urls import reverse

from privacyops.exports import services
from privacyops.exports.models import Export, ExportStatus


def made(client, **filters):
    """Make the newest waiting export (``services.export_run``, as the Celery task does) and
    download it with ``client``; fails with the job's reason when it did not succeed."""
    export = Export.objects.filter(status=ExportStatus.QUEUED, **filters).latest("pk")
    services.export_run(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE, export.error
    response = client.get(reverse("admin:export_download", args=[export.pk]))
    assert response.status_code == 200
    return response


def content(response) -> bytes:
    return b"".join(response.streaming_content)


def exported(client, url: str) -> bytes:
    """Ask for an export at ``url`` (a POST, as the page's button does), make it, and return the file."""
    started = client.post(url)
    assert started.status_code == 302, started
    return content(made(client))


TRAIL_COLUMNS = ["time", "user", "record_type", "record", "case", "change", "operation", "note", "field", "old", "new"]


def trail_rows(text: str) -> list[dict]:
    """The audit trail's CSV (headers in the reader's language) as dicts keyed by column meaning."""
    import csv
    import io

    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert lines[0][0] in ("日時", "Date and time"), lines[0]
    return [dict(zip(TRAIL_COLUMNS, line, strict=True)) for line in lines[1:]]
