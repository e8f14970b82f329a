import django.core.validators
import requests_app.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('requests_app', '0028_complaint_intake_token'),
    ]

    operations = [
        migrations.AlterField(
            model_name='complaint',
            name='complainant_name',
            field=models.CharField(blank=True, max_length=200, validators=[requests_app.validators.reject_individual_number, requests_app.validators.reject_line_breaks], verbose_name="complainant's name"),
        ),
        migrations.AlterField(
            model_name='complaint',
            name='complainant_type',
            field=models.CharField(choices=[('data_subject', 'The person (data subject)'), ('agent', 'An agent of the person'), ('other', 'Someone else')], max_length=16, verbose_name='complainant'),
        ),
        migrations.AlterField(
            model_name='complaint',
            name='kind',
            field=models.CharField(choices=[('complaint', 'Complaint'), ('consultation', 'Consultation')], default='complaint', max_length=16, verbose_name='complaint or consultation'),
        ),
        migrations.AlterField(
            model_name='deskpolicy',
            name='propose_withdrawal_after',
            field=models.PositiveSmallIntegerField(blank=True, default=20, help_text="Empty: never proposed. Counted from the day the desk's request letter was sent, for any wait (documents, information or the fee).", null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(250)], verbose_name='propose withdrawal when the requester has not answered for (business days)'),
        ),
        migrations.AlterField(
            model_name='historicalcomplaint',
            name='complainant_name',
            field=models.CharField(blank=True, max_length=200, validators=[requests_app.validators.reject_individual_number, requests_app.validators.reject_line_breaks], verbose_name="complainant's name"),
        ),
        migrations.AlterField(
            model_name='historicalcomplaint',
            name='complainant_type',
            field=models.CharField(choices=[('data_subject', 'The person (data subject)'), ('agent', 'An agent of the person'), ('other', 'Someone else')], max_length=16, verbose_name='complainant'),
        ),
        migrations.AlterField(
            model_name='historicalcomplaint',
            name='kind',
            field=models.CharField(choices=[('complaint', 'Complaint'), ('consultation', 'Consultation')], default='complaint', max_length=16, verbose_name='complaint or consultation'),
        ),
        migrations.AlterField(
            model_name='historicaldeskpolicy',
            name='propose_withdrawal_after',
            field=models.PositiveSmallIntegerField(blank=True, default=20, help_text="Empty: never proposed. Counted from the day the desk's request letter was sent, for any wait (documents, information or the fee).", null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(250)], verbose_name='propose withdrawal when the requester has not answered for (business days)'),
        ),
    ]
