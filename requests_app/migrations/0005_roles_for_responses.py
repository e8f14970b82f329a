from django.db import migrations

from requests_app.roles import sync_roles


class Migration(migrations.Migration):
    """Give the roles their permissions on letters, responses, tasks and their set-up."""

    dependencies = [("requests_app", "0004_responses")]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
