import requests_app.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('requests_app', '0014_one_line_names_and_letter_templates'),
    ]

    operations = [
        migrations.AlterField(
            model_name='agent',
            name='email',
            field=models.EmailField(blank=True, max_length=254, validators=[requests_app.validators.reject_line_breaks], verbose_name='e-mail'),
        ),
        migrations.AlterField(
            model_name='datasubject',
            name='email',
            field=models.EmailField(blank=True, max_length=254, validators=[requests_app.validators.reject_line_breaks], verbose_name='e-mail'),
        ),
        migrations.AlterField(
            model_name='historicalagent',
            name='email',
            field=models.EmailField(blank=True, max_length=254, validators=[requests_app.validators.reject_line_breaks], verbose_name='e-mail'),
        ),
        migrations.AlterField(
            model_name='historicaldatasubject',
            name='email',
            field=models.EmailField(blank=True, max_length=254, validators=[requests_app.validators.reject_line_breaks], verbose_name='e-mail'),
        ),
        migrations.AlterField(
            model_name='historicalorganization',
            name='desk_email',
            field=models.EmailField(blank=True, max_length=254, validators=[requests_app.validators.reject_line_breaks], verbose_name='desk e-mail'),
        ),
        migrations.AlterField(
            model_name='historicalresponse',
            name='email',
            field=models.EmailField(blank=True, max_length=254, validators=[requests_app.validators.reject_line_breaks], verbose_name='e-mail address'),
        ),
        migrations.AlterField(
            model_name='organization',
            name='desk_email',
            field=models.EmailField(blank=True, max_length=254, validators=[requests_app.validators.reject_line_breaks], verbose_name='desk e-mail'),
        ),
        migrations.AlterField(
            model_name='response',
            name='email',
            field=models.EmailField(blank=True, max_length=254, validators=[requests_app.validators.reject_line_breaks], verbose_name='e-mail address'),
        ),
    ]
