from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('requests_app', '0015_email_addresses_on_one_line'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalresponse',
            name='state',
            field=models.CharField(choices=[('sending', 'Sending — check whether it left'), ('sent', 'Sent')], default='sent', editable=False, max_length=16, verbose_name='delivery'),
        ),
        migrations.AddField(
            model_name='response',
            name='state',
            field=models.CharField(choices=[('sending', 'Sending — check whether it left'), ('sent', 'Sent')], default='sent', editable=False, max_length=16, verbose_name='delivery'),
        ),
    ]
