from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0007_ledger_access'),
    ]

    operations = [
        migrations.AlterField(
            model_name='accesslog',
            name='kind',
            field=models.CharField(choices=[('case', 'Case page'), ('case_list', 'List of cases'), ('letter', 'Letter (print or PDF)'), ('history', 'Case history'), ('action', 'Case action page'), ('audit', 'Audit trail'), ('export', 'Audit trail export (CSV)'), ('records', 'Consents and records of provision'), ('records_export', 'Consents and records export (CSV)'), ('login_failed', 'Failed login'), ('locked_out', 'Login locked after repeated failures'), ('login_refused_locked', 'Login refused: account locked'), ('two_factor_failed', 'Wrong two-factor code'), ('two_factor_enrolled', 'Two-factor login set up'), ('two_factor_reset', 'Two-factor login removed'), ('document_file', 'Identity document file'), ('portal_status', 'Status page (requester, online)'), ('portal_download', 'Result downloaded by link (requester)'), ('portal_locked', 'Online access locked after wrong PINs'), ('ledger', 'Request ledger'), ('ledger_export', 'Request ledger export (CSV, Excel, PDF)'), ('complaint', 'Complaint or consultation page'), ('complaint_history', 'Complaint or consultation history')], max_length=24, verbose_name='what'),
        ),
    ]
