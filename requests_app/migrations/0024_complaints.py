import django.db.models.deletion
import requests_app.validators
import simple_history.models
from django.conf import settings
from django.db import migrations, models

from requests_app.roles import sync_roles


class Migration(migrations.Migration):

    dependencies = [
        ('requests_app', '0023_legal_hold'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalComplaint',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_operation', models.CharField(blank=True, default='', max_length=40, verbose_name='operation')),
                ('kind', models.CharField(choices=[('complaint', 'Complaint'), ('consultation', 'Consultation')], default='complaint', max_length=16, verbose_name='kind')),
                ('received_on', models.DateField(verbose_name='received on')),
                ('channel', models.CharField(choices=[('post', 'Post'), ('email', 'E-mail'), ('counter', 'Counter'), ('web_form', 'Web form'), ('phone', 'Phone'), ('self_service', 'Self-service (My Page)')], max_length=32, verbose_name='how it reached us')),
                ('complainant_type', models.CharField(choices=[('data_subject', 'The person (data subject)'), ('agent', 'An agent of the person'), ('other', 'Someone else')], max_length=16, verbose_name='from')),
                ('complainant_name', models.CharField(blank=True, max_length=200, validators=[requests_app.validators.reject_individual_number, requests_app.validators.reject_line_breaks], verbose_name='name')),
                ('complainant_contact', models.CharField(blank=True, max_length=300, validators=[requests_app.validators.reject_individual_number], verbose_name='contact (address, e-mail or phone)')),
                ('topic', models.CharField(choices=[('request_handling', 'Handling of a request (disclosure, correction, suspension…)'), ('use', 'Use of personal data'), ('provision', 'Provision to third parties'), ('security', 'Security or a leak'), ('contact', 'Unwanted contact or marketing'), ('other', 'Other')], max_length=32, verbose_name='about')),
                ('summary', models.TextField(validators=[requests_app.validators.reject_individual_number], verbose_name='what was said')),
                ('reply_due_on', models.DateField(verbose_name='reply due on')),
                ('status', models.CharField(choices=[('received', 'Received'), ('awaiting_approval', 'Reply awaiting approval'), ('approved', 'Reply approved'), ('replied', 'Replied'), ('closed', 'Closed')], default='received', editable=False, max_length=20, verbose_name='status')),
                ('reply_text', models.TextField(blank=True, editable=False, validators=[requests_app.validators.reject_individual_number], verbose_name='reply')),
                ('approved_on', models.DateField(blank=True, editable=False, null=True, verbose_name='reply approved on')),
                ('approval_comment', models.TextField(blank=True, editable=False, validators=[requests_app.validators.reject_individual_number], verbose_name="manager's comment")),
                ('replied_on', models.DateField(blank=True, editable=False, null=True, verbose_name='replied on')),
                ('reply_method', models.CharField(blank=True, choices=[('post', 'Post'), ('email', 'E-mail'), ('counter', 'Counter'), ('web_form', 'Web form'), ('phone', 'Phone'), ('self_service', 'Self-service (My Page)')], editable=False, max_length=32, verbose_name='reply sent by')),
                ('outcome', models.CharField(blank=True, choices=[('resolved', 'Resolved'), ('partly_resolved', 'Partly resolved'), ('unresolved', 'Not resolved'), ('explained', 'Explained, no measure needed')], editable=False, max_length=20, verbose_name='outcome')),
                ('cause', models.TextField(blank=True, editable=False, validators=[requests_app.validators.reject_individual_number], verbose_name='cause')),
                ('measure', models.TextField(blank=True, editable=False, validators=[requests_app.validators.reject_individual_number], verbose_name='measure taken')),
                ('closed_on', models.DateField(blank=True, editable=False, null=True, verbose_name='closed on')),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='registered at')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('approved_by', models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='reply approved by')),
                ('assignee', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='assignee')),
                ('created_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='registered by')),
                ('drafted_by', models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='reply drafted by')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('organization', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='requests_app.organization', verbose_name='organization')),
                ('request', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='requests_app.request', verbose_name='request concerned')),
            ],
            options={
                'verbose_name': 'historical complaint or consultation',
                'verbose_name_plural': 'historical complaints and consultations',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Complaint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('complaint', 'Complaint'), ('consultation', 'Consultation')], default='complaint', max_length=16, verbose_name='kind')),
                ('received_on', models.DateField(verbose_name='received on')),
                ('channel', models.CharField(choices=[('post', 'Post'), ('email', 'E-mail'), ('counter', 'Counter'), ('web_form', 'Web form'), ('phone', 'Phone'), ('self_service', 'Self-service (My Page)')], max_length=32, verbose_name='how it reached us')),
                ('complainant_type', models.CharField(choices=[('data_subject', 'The person (data subject)'), ('agent', 'An agent of the person'), ('other', 'Someone else')], max_length=16, verbose_name='from')),
                ('complainant_name', models.CharField(blank=True, max_length=200, validators=[requests_app.validators.reject_individual_number, requests_app.validators.reject_line_breaks], verbose_name='name')),
                ('complainant_contact', models.CharField(blank=True, max_length=300, validators=[requests_app.validators.reject_individual_number], verbose_name='contact (address, e-mail or phone)')),
                ('topic', models.CharField(choices=[('request_handling', 'Handling of a request (disclosure, correction, suspension…)'), ('use', 'Use of personal data'), ('provision', 'Provision to third parties'), ('security', 'Security or a leak'), ('contact', 'Unwanted contact or marketing'), ('other', 'Other')], max_length=32, verbose_name='about')),
                ('summary', models.TextField(validators=[requests_app.validators.reject_individual_number], verbose_name='what was said')),
                ('reply_due_on', models.DateField(verbose_name='reply due on')),
                ('status', models.CharField(choices=[('received', 'Received'), ('awaiting_approval', 'Reply awaiting approval'), ('approved', 'Reply approved'), ('replied', 'Replied'), ('closed', 'Closed')], default='received', editable=False, max_length=20, verbose_name='status')),
                ('reply_text', models.TextField(blank=True, editable=False, validators=[requests_app.validators.reject_individual_number], verbose_name='reply')),
                ('approved_on', models.DateField(blank=True, editable=False, null=True, verbose_name='reply approved on')),
                ('approval_comment', models.TextField(blank=True, editable=False, validators=[requests_app.validators.reject_individual_number], verbose_name="manager's comment")),
                ('replied_on', models.DateField(blank=True, editable=False, null=True, verbose_name='replied on')),
                ('reply_method', models.CharField(blank=True, choices=[('post', 'Post'), ('email', 'E-mail'), ('counter', 'Counter'), ('web_form', 'Web form'), ('phone', 'Phone'), ('self_service', 'Self-service (My Page)')], editable=False, max_length=32, verbose_name='reply sent by')),
                ('outcome', models.CharField(blank=True, choices=[('resolved', 'Resolved'), ('partly_resolved', 'Partly resolved'), ('unresolved', 'Not resolved'), ('explained', 'Explained, no measure needed')], editable=False, max_length=20, verbose_name='outcome')),
                ('cause', models.TextField(blank=True, editable=False, validators=[requests_app.validators.reject_individual_number], verbose_name='cause')),
                ('measure', models.TextField(blank=True, editable=False, validators=[requests_app.validators.reject_individual_number], verbose_name='measure taken')),
                ('closed_on', models.DateField(blank=True, editable=False, null=True, verbose_name='closed on')),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='registered at')),
                ('approved_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='reply approved by')),
                ('assignee', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='assigned_complaints', to=settings.AUTH_USER_MODEL, verbose_name='assignee')),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='registered by')),
                ('drafted_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='reply drafted by')),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='complaints', to='requests_app.organization', verbose_name='organization')),
                ('request', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='complaints', to='requests_app.request', verbose_name='request concerned')),
            ],
            options={
                'verbose_name': 'complaint or consultation',
                'verbose_name_plural': 'complaints and consultations',
                'ordering': ['-received_on', '-pk'],
                'permissions': [('approve_complaint_reply', 'Can approve replies to complaints')],
                'indexes': [models.Index(fields=['organization', 'status', 'reply_due_on'], name='complaint_org_status_idx'), models.Index(fields=['received_on'], name='complaint_received_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('reply_due_on__gte', models.F('received_on'))), name='complaint_due_not_before_received')],
            },
        ),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
