import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_access_to_consents_and_records'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='accesslog',
            name='kind',
            field=models.CharField(choices=[('case', 'Case page'), ('case_list', 'List of cases'), ('letter', 'Letter (print or PDF)'), ('history', 'Case history'), ('action', 'Case action page'), ('audit', 'Audit trail'), ('export', 'Audit trail export (CSV)'), ('records', 'Consents and records of provision'), ('records_export', 'Consents and records export (CSV)'), ('login_failed', 'Failed login'), ('locked_out', 'Login locked after repeated failures')], max_length=16, verbose_name='what'),
        ),
        migrations.AlterField(
            model_name='accesslog',
            name='user',
            field=models.ForeignKey(blank=True, help_text='Empty for a failed login with a username nobody has.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='accesses', to=settings.AUTH_USER_MODEL, verbose_name='user'),
        ),
    ]
