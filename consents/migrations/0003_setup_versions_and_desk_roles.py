from django.db import migrations, models

from requests_app.roles import sync_roles


class Migration(migrations.Migration):
    """Set-up records (purposes, opt-out provisions) carry a version like the desk's set-up; desk staff
    record consents, provisions and stops, managers publish purposes and opt-out provisions."""


    dependencies = [
        ('consents', '0002_roles_for_consents'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicaloptoutprovision',
            name='version',
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name='historicalpurposeofuse',
            name='version',
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name='optoutprovision',
            name='version',
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name='purposeofuse',
            name='version',
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
