"""The access log now belongs to the audit app (``privacyops.audit``): state only, same table."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("privacyops", "0003_access_kinds"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="AccessLog")]),
    ]
