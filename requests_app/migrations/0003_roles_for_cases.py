from django.db import migrations

from requests_app.roles import sync_roles


class Migration(migrations.Migration):
    """Give the roles their permissions on the case models."""

    dependencies = [("requests_app", "0002_cases")]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
