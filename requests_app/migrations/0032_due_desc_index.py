"""An index for the request list at 100k requests (issue 16), on PostgreSQL only (SQLite, for
`make run`, has no NULLS LAST in an index; its lists are small): the descending due-date order with
the cases without a due date last (the list's ``o=-due``). The search key's trigram index is
0019's (``request_search_key_trgm_idx``).
"""

from django.db import migrations

FORWARD = [
    "CREATE INDEX IF NOT EXISTS request_due_desc_idx ON requests_app_request "
    "(due_on DESC NULLS LAST, id DESC)",
]
BACKWARD = ["DROP INDEX IF EXISTS request_due_desc_idx"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("requests_app", "0031_pause_created_at")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
