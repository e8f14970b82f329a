import requests_app.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('requests_app', '0019_search_keys'),
    ]

    operations = [
        migrations.AddField(
            model_name='deskpolicy',
            name='bank_account',
            field=models.TextField(blank=True, help_text='Bank, branch, account type and number, account holder (kana): printed in letters that ask for a fee where bank transfer is accepted.', validators=[requests_app.validators.reject_individual_number], verbose_name='bank account for fees'),
        ),
        migrations.AddField(
            model_name='historicaldeskpolicy',
            name='bank_account',
            field=models.TextField(blank=True, help_text='Bank, branch, account type and number, account holder (kana): printed in letters that ask for a fee where bank transfer is accepted.', validators=[requests_app.validators.reject_individual_number], verbose_name='bank account for fees'),
        ),
        migrations.AlterField(
            model_name='historicalletter',
            name='kind',
            field=models.CharField(choices=[('acknowledgement', 'Acknowledgement of receipt'), ('request_missing', 'Request for missing documents, information or fee'), ('result', 'Result notice'), ('rejection', 'Rejection (not accepted)'), ('withdrawal', 'Confirmation of withdrawal'), ('extension', 'Extension notice'), ('request_form', 'Request form sent (after a phone call)')], max_length=32, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='historicallettertemplate',
            name='kind',
            field=models.CharField(choices=[('acknowledgement', 'Acknowledgement of receipt'), ('request_missing', 'Request for missing documents, information or fee'), ('result', 'Result notice'), ('rejection', 'Rejection (not accepted)'), ('withdrawal', 'Confirmation of withdrawal'), ('extension', 'Extension notice'), ('request_form', 'Request form sent (after a phone call)')], max_length=32, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='letter',
            name='kind',
            field=models.CharField(choices=[('acknowledgement', 'Acknowledgement of receipt'), ('request_missing', 'Request for missing documents, information or fee'), ('result', 'Result notice'), ('rejection', 'Rejection (not accepted)'), ('withdrawal', 'Confirmation of withdrawal'), ('extension', 'Extension notice'), ('request_form', 'Request form sent (after a phone call)')], max_length=32, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='lettertemplate',
            name='kind',
            field=models.CharField(choices=[('acknowledgement', 'Acknowledgement of receipt'), ('request_missing', 'Request for missing documents, information or fee'), ('result', 'Result notice'), ('rejection', 'Rejection (not accepted)'), ('withdrawal', 'Confirmation of withdrawal'), ('extension', 'Extension notice'), ('request_form', 'Request form sent (after a phone call)')], max_length=32, verbose_name='kind'),
        ),
    ]
