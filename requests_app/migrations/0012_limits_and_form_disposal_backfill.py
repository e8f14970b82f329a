
import django.core.validators
import requests_app.validators
import datetime as dt

from django.db import migrations, models


def fill_form_disposal(apps, schema_editor):
    """The form-disposal date of cases that ended before it existed: ``form_retention_days`` after
    the case ended, while the form is kept (the rule of ``derived.form_disposal_due_on``, frozen)."""
    Request = apps.get_model("requests_app", "Request")
    ended = Request.objects.filter(
        ended_on__isnull=False,
        form_received_on__isnull=False,
        form_disposed_on__isnull=True,
        purged_on__isnull=True,
        policy__form_retention_days__isnull=False,
    ).select_related("policy")
    for case in ended.iterator(chunk_size=500):
        due = case.ended_on + dt.timedelta(days=case.policy.form_retention_days)
        Request.objects.filter(pk=case.pk).update(form_disposal_due_on=due)


class Migration(migrations.Migration):

    dependencies = [
        ('requests_app', '0011_law_rules'),
    ]

    operations = [
        migrations.AlterField(
            model_name='agentproofrule',
            name='max_age_months',
            field=models.PositiveSmallIntegerField(blank=True, help_text='Empty: any date of issue.', null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(24)], verbose_name='issued within (months)'),
        ),
        migrations.AlterField(
            model_name='deskpolicy',
            name='certificate_max_age_months',
            field=models.PositiveSmallIntegerField(blank=True, help_text='Resident register, family register, seal and guardianship certificates: 3 or 6. Empty: any date.', null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(24)], verbose_name='certificates issued within (months)'),
        ),
        migrations.AlterField(
            model_name='deskpolicy',
            name='form_retention_days',
            field=models.PositiveIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(3650)], verbose_name='keep request forms (days)'),
        ),
        migrations.AlterField(
            model_name='historicalagentproofrule',
            name='max_age_months',
            field=models.PositiveSmallIntegerField(blank=True, help_text='Empty: any date of issue.', null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(24)], verbose_name='issued within (months)'),
        ),
        migrations.AlterField(
            model_name='historicaldeskpolicy',
            name='certificate_max_age_months',
            field=models.PositiveSmallIntegerField(blank=True, help_text='Resident register, family register, seal and guardianship certificates: 3 or 6. Empty: any date.', null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(24)], verbose_name='certificates issued within (months)'),
        ),
        migrations.AlterField(
            model_name='historicaldeskpolicy',
            name='form_retention_days',
            field=models.PositiveIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(3650)], verbose_name='keep request forms (days)'),
        ),
        migrations.AlterField(
            model_name='historicalrequest',
            name='channel_override_reason',
            field=models.TextField(blank=True, help_text="Only when the desk's policy does not list the channel.", validators=[requests_app.validators.reject_individual_number, django.core.validators.MaxLengthValidator(1000)], verbose_name='why this channel was accepted'),
        ),
        migrations.AlterField(
            model_name='historicalresponse',
            name='method_override_reason',
            field=models.TextField(blank=True, help_text="Only when the desk's policy does not offer the method.", validators=[requests_app.validators.reject_individual_number, django.core.validators.MaxLengthValidator(1000)], verbose_name='why this method was used'),
        ),
        migrations.AlterField(
            model_name='request',
            name='channel_override_reason',
            field=models.TextField(blank=True, help_text="Only when the desk's policy does not list the channel.", validators=[requests_app.validators.reject_individual_number, django.core.validators.MaxLengthValidator(1000)], verbose_name='why this channel was accepted'),
        ),
        migrations.AlterField(
            model_name='response',
            name='method_override_reason',
            field=models.TextField(blank=True, help_text="Only when the desk's policy does not offer the method.", validators=[requests_app.validators.reject_individual_number, django.core.validators.MaxLengthValidator(1000)], verbose_name='why this method was used'),
        ),
        migrations.RunPython(fill_form_disposal, migrations.RunPython.noop),
    ]
