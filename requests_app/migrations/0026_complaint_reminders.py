import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('requests_app', '0025_abandoned_cases'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='reminderlog',
            name='complaint',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='requests_app.complaint', verbose_name='complaint or consultation'),
        ),
        migrations.AlterField(
            model_name='reminderlog',
            name='kind',
            field=models.CharField(choices=[('overdue', 'Overdue'), ('due_today', 'Due today'), ('due_in_1', 'Due in 1 business day'), ('due_in_3', 'Due in 3 business days'), ('art39', 'Two weeks since it reached us, unanswered (Art. 39)'), ('acknowledgement_due', 'Acknowledgement due'), ('verification_long', 'Verification pending too long'), ('disposal_due', 'ID copies to dispose of'), ('form_disposal_due', 'Request form to dispose of'), ('waiting_long', 'Waiting for the requester too long'), ('withdrawal_proposed', 'No answer from the requester: close as withdrawn?'), ('complaint_overdue', 'Complaint: reply overdue'), ('complaint_due', 'Complaint: reply due today or next business day'), ('fee_waiting_long', 'Waiting for the fee too long')], max_length=32, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='reminderlog',
            name='request',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='requests_app.request', verbose_name='request'),
        ),
        migrations.AddConstraint(
            model_name='reminderlog',
            constraint=models.UniqueConstraint(fields=('recipient', 'complaint', 'kind', 'day'), name='reminder_complaint_once_per_day'),
        ),
        migrations.AddConstraint(
            model_name='reminderlog',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('complaint__isnull', True), ('request__isnull', False)), models.Q(('complaint__isnull', False), ('request__isnull', True)), _connector='OR'), name='reminder_on_a_case_or_a_complaint'),
        ),
    ]
