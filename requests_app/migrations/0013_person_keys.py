import django.db.models.functions.text
from django.db import migrations, models


def fill_member_keys(apps, schema_editor):
    """The key of every member ID already kept (``identifier_key``: the model's save keeps it after)."""
    from requests_app.models import identifier_key

    DataSubject = apps.get_model("requests_app", "DataSubject")
    for subject in DataSubject.objects.exclude(member_id="").only("pk", "member_id").iterator():
        DataSubject.objects.filter(pk=subject.pk).update(member_key=identifier_key(subject.member_id))


class Migration(migrations.Migration):
    """How a person is found again: a member ID's comparison key, and indexes on it, the e-mail
    and the date of birth (SPEC §11, people on record)."""


    dependencies = [
        ('requests_app', '0012_limits_and_form_disposal_backfill'),
    ]

    operations = [
        migrations.AddField(
            model_name='datasubject',
            name='member_key',
            field=models.CharField(blank=True, editable=False, max_length=100),
        ),
        migrations.AddField(
            model_name='historicaldatasubject',
            name='member_key',
            field=models.CharField(blank=True, editable=False, max_length=100),
        ),
        migrations.AddIndex(
            model_name='datasubject',
            index=models.Index(fields=['organization', 'member_key'], name='subject_member_key_idx'),
        ),
        migrations.AddIndex(
            model_name='datasubject',
            index=models.Index(django.db.models.functions.text.Upper('email'), name='subject_email_upper_idx'),
        ),
        migrations.AddIndex(
            model_name='datasubject',
            index=models.Index(fields=['birth_date'], name='subject_birth_date_idx'),
        ),
        migrations.RunPython(fill_member_keys, migrations.RunPython.noop),
    ]
