"""Indexes for the request list at 100k requests (issue 16), on PostgreSQL only (SQLite, for
`make run`, has no trigram indexes nor NULLS LAST in an index; its lists are small):

- a trigram index (pg_trgm) on the search key: a name, kana or address searched as any part of it
  (``search_key LIKE '%…%'``) is found through the index instead of reading every case;
- the descending due-date order with the cases without a due date last (the list's ``o=-due``).
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS request_search_trgm_idx ON requests_app_request USING gin (search_key gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS request_due_desc_idx ON requests_app_request "
    "(due_on DESC NULLS LAST, reached_on DESC, id DESC)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS request_due_desc_idx",
    "DROP INDEX IF EXISTS request_search_trgm_idx",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("requests_app", "0031_pause_created_at")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
