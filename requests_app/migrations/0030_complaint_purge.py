from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('requests_app', '0029_complaint_labels'),
    ]

    operations = [
        migrations.AddField(
            model_name='complaint',
            name='purged_on',
            field=models.DateField(blank=True, editable=False, null=True, verbose_name='personal data erased on'),
        ),
        migrations.AddField(
            model_name='historicalcomplaint',
            name='purged_on',
            field=models.DateField(blank=True, editable=False, null=True, verbose_name='personal data erased on'),
        ),
    ]
