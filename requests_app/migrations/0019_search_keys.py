from django.db import migrations, models

TRIGRAM_INDEX = "request_search_key_trgm_idx"


def fill_keys(apps, schema_editor):
    """The name key of every person and the search key of every case already kept (services keep
    them after); purged cases stay blank."""
    from requests_app.derived import case_search_key
    from requests_app.validators import search_key

    DataSubject = apps.get_model("requests_app", "DataSubject")
    Request = apps.get_model("requests_app", "Request")
    for subject in DataSubject.objects.only("pk", "family_name", "given_name").iterator():
        key = search_key(subject.family_name + subject.given_name)
        DataSubject.objects.filter(pk=subject.pk).update(name_key=key)
    cases = Request.objects.filter(purged_on__isnull=True).select_related("data_subject", "agent")
    for case in cases.iterator(chunk_size=500):
        Request.objects.filter(pk=case.pk).update(search_key=case_search_key(case))


def trigram_index(apps, schema_editor):
    """On PostgreSQL, a trigram index (pg_trgm, a trusted extension) serves the search box's
    ``LIKE '%…%'`` on the search key at any size; SQLite scans, which is fine for a laptop."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON requests_app_request USING gin (search_key gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    """Search that finds people however their name is written (width, script, variant kanji): a
    name key on each person, a search key on each case, and on PostgreSQL a trigram index on it."""

    dependencies = [
        ('requests_app', '0018_response_recorded_at'),
    ]

    operations = [
        migrations.AddField(
            model_name='datasubject',
            name='name_key',
            field=models.CharField(blank=True, editable=False, max_length=200),
        ),
        migrations.AddField(
            model_name='historicaldatasubject',
            name='name_key',
            field=models.CharField(blank=True, editable=False, max_length=200),
        ),
        migrations.AddField(
            model_name='request',
            name='search_key',
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddIndex(
            model_name='datasubject',
            index=models.Index(fields=['organization', 'name_key'], name='subject_name_key_idx'),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
