import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('requests_app', '0024_complaints'),
    ]

    operations = [
        migrations.AddField(
            model_name='deskpolicy',
            name='propose_withdrawal_after',
            field=models.PositiveSmallIntegerField(blank=True, default=20, help_text='Empty: never proposed. Counted from the day the desk asked (the open wait).', null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(250)], verbose_name='propose withdrawal when the requester has not answered for (business days)'),
        ),
        migrations.AddField(
            model_name='historicaldeskpolicy',
            name='propose_withdrawal_after',
            field=models.PositiveSmallIntegerField(blank=True, default=20, help_text='Empty: never proposed. Counted from the day the desk asked (the open wait).', null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(250)], verbose_name='propose withdrawal when the requester has not answered for (business days)'),
        ),
        migrations.AddField(
            model_name='historicalrequest',
            name='withdrawal_deemed',
            field=models.BooleanField(default=False, editable=False, verbose_name='withdrawn for want of an answer'),
        ),
        migrations.AddField(
            model_name='request',
            name='withdrawal_deemed',
            field=models.BooleanField(default=False, editable=False, verbose_name='withdrawn for want of an answer'),
        ),
        migrations.AlterField(
            model_name='reminderlog',
            name='kind',
            field=models.CharField(choices=[('overdue', 'Overdue'), ('due_today', 'Due today'), ('due_in_1', 'Due in 1 business day'), ('due_in_3', 'Due in 3 business days'), ('art39', 'Two weeks since it reached us, unanswered (Art. 39)'), ('acknowledgement_due', 'Acknowledgement due'), ('verification_long', 'Verification pending too long'), ('disposal_due', 'ID copies to dispose of'), ('form_disposal_due', 'Request form to dispose of'), ('waiting_long', 'Waiting for the requester too long'), ('withdrawal_proposed', 'No answer from the requester: close as withdrawn?'), ('fee_waiting_long', 'Waiting for the fee too long')], max_length=32, verbose_name='kind'),
        ),
    ]
