import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('requests_app', '0017_document_files'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalresponse',
            name='recorded_at',
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='recorded at'),
        ),
        migrations.AddField(
            model_name='response',
            name='recorded_at',
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='recorded at'),
        ),
    ]
