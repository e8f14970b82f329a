from django.db import migrations

from requests_app.roles import sync_roles


class Migration(migrations.Migration):
    """Give the desk roles their permissions on the consents models (read; writes go through the services)."""

    dependencies = [("consents", "0001_consents_and_records"), ("requests_app", "0012_limits_and_form_disposal_backfill")]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
