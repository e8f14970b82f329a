import django.core.validators
import requests_app.validators
from django.db import migrations, models

from requests_app.roles import sync_roles


class Migration(migrations.Migration):
    """Names and titles on one line, letter templates checked, tracking numbers as digits; the staff
    directory for managers only (roles re-synced)."""


    dependencies = [
        ('requests_app', '0013_person_keys'),
    ]

    operations = [
        migrations.AlterField(
            model_name='agent',
            name='family_name',
            field=models.CharField(max_length=100, validators=[requests_app.validators.reject_individual_number, requests_app.validators.reject_line_breaks], verbose_name='family name'),
        ),
        migrations.AlterField(
            model_name='agent',
            name='family_name_kana',
            field=models.CharField(blank=True, max_length=100, validators=[requests_app.validators.reject_individual_number, requests_app.validators.reject_line_breaks], verbose_name='family name (kana)'),
        ),
        migrations.AlterField(
            model_name='agent',
            name='given_name',
            field=models.CharField(blank=True, max_length=100, validators=[requests_app.validators.reject_individual_number, requests_app.validators.reject_line_breaks], verbose_name='given name'),
        ),
        migrations.AlterField(
            model_name='agent',
            name='given_name_kana',
            field=models.CharField(blank=True, max_length=100, validators=[requests_app.validators.reject_individual_number, requests_app.validators.reject_line_breaks], verbose_name='given name (kana)'),
        ),
        migrations.AlterField(
            model_name='datasubject',
            name='family_name',
            field=models.CharField(max_length=100, validators=[requests_app.validators.reject_individual_number, requests_app.validators.reject_line_breaks], verbose_name='family name'),
        ),
        migrations.AlterField(
            model_name='datasubject',
            name='family_name_kana',
            field=models.CharField(blank=True, max_length=100, validators=[requests_app.validators.reject_individual_number, requests_app.validators.reject_line_breaks], verbose_name='family name (kana)'),
        ),
        migrations.AlterField(
            model_name='datasubject',
            name='given_name',
            field=models.CharField(blank=True, max_length=100, validators=[requests_app.validators.reject_individual_number, requests_app.validators.reject_line_breaks], verbose_name='given name'),
        ),
        migrations.AlterField(
            model_name='datasubject',
            name='given_name_kana',
            field=models.CharField(blank=True, max_length=100, validators=[requests_app.validators.reject_individual_number, requests_app.validators.reject_line_breaks], verbose_name='given name (kana)'),
        ),
        migrations.AlterField(
            model_name='historicalagent',
            name='family_name',
            field=models.CharField(max_length=100, validators=[requests_app.validators.reject_individual_number, requests_app.validators.reject_line_breaks], verbose_name='family name'),
        ),
        migrations.AlterField(
            model_name='historicalagent',
            name='family_name_kana',
            field=models.CharField(blank=True, max_length=100, validators=[requests_app.validators.reject_individual_number, requests_app.validators.reject_line_breaks], verbose_name='family name (kana)'),
        ),
        migrations.AlterField(
            model_name='historicalagent',
            name='given_name',
            field=models.CharField(blank=True, max_length=100, validators=[requests_app.validators.reject_individual_number, requests_app.validators.reject_line_breaks], verbose_name='given name'),
        ),
        migrations.AlterField(
            model_name='historicalagent',
            name='given_name_kana',
            field=models.CharField(blank=True, max_length=100, validators=[requests_app.validators.reject_individual_number, requests_app.validators.reject_line_breaks], verbose_name='given name (kana)'),
        ),
        migrations.AlterField(
            model_name='historicaldatasubject',
            name='family_name',
            field=models.CharField(max_length=100, validators=[requests_app.validators.reject_individual_number, requests_app.validators.reject_line_breaks], verbose_name='family name'),
        ),
        migrations.AlterField(
            model_name='historicaldatasubject',
            name='family_name_kana',
            field=models.CharField(blank=True, max_length=100, validators=[requests_app.validators.reject_individual_number, requests_app.validators.reject_line_breaks], verbose_name='family name (kana)'),
        ),
        migrations.AlterField(
            model_name='historicaldatasubject',
            name='given_name',
            field=models.CharField(blank=True, max_length=100, validators=[requests_app.validators.reject_individual_number, requests_app.validators.reject_line_breaks], verbose_name='given name'),
        ),
        migrations.AlterField(
            model_name='historicaldatasubject',
            name='given_name_kana',
            field=models.CharField(blank=True, max_length=100, validators=[requests_app.validators.reject_individual_number, requests_app.validators.reject_line_breaks], verbose_name='given name (kana)'),
        ),
        migrations.AlterField(
            model_name='historicalletter',
            name='title',
            field=models.CharField(max_length=300, validators=[requests_app.validators.reject_individual_number, requests_app.validators.reject_line_breaks], verbose_name='title'),
        ),
        migrations.AlterField(
            model_name='historicallettertemplate',
            name='body',
            field=models.TextField(help_text='Django template syntax. Variables: case.reference, case.reached_on, subject.full_name, organization.name, items (kind, outcome, ground, reason, method), fee.due, due_on, … — see templates/letters/ for the standard text.', validators=[requests_app.validators.reject_individual_number, requests_app.validators.validate_letter_template], verbose_name='body template'),
        ),
        migrations.AlterField(
            model_name='historicallettertemplate',
            name='title',
            field=models.CharField(blank=True, help_text='Empty: the standard title.', max_length=300, validators=[requests_app.validators.reject_individual_number, requests_app.validators.reject_line_breaks], verbose_name='title template'),
        ),
        migrations.AlterField(
            model_name='historicalresponse',
            name='tracking_number',
            field=models.CharField(blank=True, max_length=40, validators=[django.core.validators.RegexValidator('^(?:\\d{10,14}|\\d{2,6}(?:[- ]\\d{2,6}){1,3})$', 'Write the tracking number as its digits, e.g. 1234-5678-9012.', code='tracking_number')], verbose_name='tracking number'),
        ),
        migrations.AlterField(
            model_name='letter',
            name='title',
            field=models.CharField(max_length=300, validators=[requests_app.validators.reject_individual_number, requests_app.validators.reject_line_breaks], verbose_name='title'),
        ),
        migrations.AlterField(
            model_name='lettertemplate',
            name='body',
            field=models.TextField(help_text='Django template syntax. Variables: case.reference, case.reached_on, subject.full_name, organization.name, items (kind, outcome, ground, reason, method), fee.due, due_on, … — see templates/letters/ for the standard text.', validators=[requests_app.validators.reject_individual_number, requests_app.validators.validate_letter_template], verbose_name='body template'),
        ),
        migrations.AlterField(
            model_name='lettertemplate',
            name='title',
            field=models.CharField(blank=True, help_text='Empty: the standard title.', max_length=300, validators=[requests_app.validators.reject_individual_number, requests_app.validators.reject_line_breaks], verbose_name='title template'),
        ),
        migrations.AlterField(
            model_name='response',
            name='tracking_number',
            field=models.CharField(blank=True, max_length=40, validators=[django.core.validators.RegexValidator('^(?:\\d{10,14}|\\d{2,6}(?:[- ]\\d{2,6}){1,3})$', 'Write the tracking number as its digits, e.g. 1234-5678-9012.', code='tracking_number')], verbose_name='tracking number'),
        ),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
