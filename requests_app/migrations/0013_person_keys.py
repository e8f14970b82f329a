import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('requests_app', '0012_limits_and_form_disposal_backfill'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='datasubject',
            index=models.Index(django.db.models.functions.text.Upper('member_id'), name='subject_member_id_upper_idx'),
        ),
        migrations.AddIndex(
            model_name='datasubject',
            index=models.Index(django.db.models.functions.text.Upper('email'), name='subject_email_upper_idx'),
        ),
        migrations.AddIndex(
            model_name='datasubject',
            index=models.Index(fields=['birth_date'], name='subject_birth_date_idx'),
        ),
    ]
