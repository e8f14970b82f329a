import django.db.models.deletion
import requests_app.validators
import simple_history.models
from django.conf import settings
from django.db import migrations, models

from requests_app.roles import sync_roles


class Migration(migrations.Migration):

    dependencies = [
        ('requests_app', '0022_letter_enclosures'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalLegalHold',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_operation', models.CharField(blank=True, default='', max_length=40, verbose_name='operation')),
                ('reason', models.TextField(validators=[requests_app.validators.reject_individual_number], verbose_name='why it is held')),
                ('placed_on', models.DateField(verbose_name='held since')),
                ('lifted_on', models.DateField(blank=True, null=True, verbose_name='lifted on')),
                ('lift_reason', models.TextField(blank=True, validators=[requests_app.validators.reject_individual_number], verbose_name='why it was lifted')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('data_subject', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='requests_app.datasubject', verbose_name='person')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('lifted_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='lifted by')),
                ('organization', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='requests_app.organization', verbose_name='organization')),
                ('placed_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='placed by')),
                ('request', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='requests_app.request', verbose_name='case')),
            ],
            options={
                'verbose_name': 'historical legal hold',
                'verbose_name_plural': 'historical legal holds',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='LegalHold',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.TextField(validators=[requests_app.validators.reject_individual_number], verbose_name='why it is held')),
                ('placed_on', models.DateField(verbose_name='held since')),
                ('lifted_on', models.DateField(blank=True, null=True, verbose_name='lifted on')),
                ('lift_reason', models.TextField(blank=True, validators=[requests_app.validators.reject_individual_number], verbose_name='why it was lifted')),
                ('data_subject', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='holds', to='requests_app.datasubject', verbose_name='person')),
                ('lifted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='lifted by')),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='legal_holds', to='requests_app.organization', verbose_name='organization')),
                ('placed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='placed by')),
                ('request', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='holds', to='requests_app.request', verbose_name='case')),
            ],
            options={
                'verbose_name': 'legal hold',
                'verbose_name_plural': 'legal holds',
                'ordering': ['-placed_on', '-pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('data_subject__isnull', True), ('request__isnull', False)), models.Q(('data_subject__isnull', False), ('request__isnull', True)), _connector='OR'), name='legal_hold_on_a_case_or_a_person'), models.UniqueConstraint(condition=models.Q(('lifted_on__isnull', True)), fields=('request',), name='legal_hold_one_open_per_case'), models.UniqueConstraint(condition=models.Q(('lifted_on__isnull', True)), fields=('data_subject',), name='legal_hold_one_open_per_person')],
            },
        ),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
