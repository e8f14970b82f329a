from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('requests_app', '0027_answered_on'),
    ]

    operations = [
        migrations.AddField(
            model_name='complaint',
            name='intake_token',
            field=models.UUIDField(blank=True, editable=False, null=True, unique=True),
        ),
    ]
