from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='accesslog',
            name='kind',
            field=models.CharField(choices=[('case', 'Case page'), ('case_list', 'List of cases'), ('letter', 'Letter (print or PDF)'), ('history', 'Case history'), ('action', 'Case action page'), ('audit', 'Audit trail'), ('export', 'Audit trail export (CSV)'), ('records', 'Consents and records of provision'), ('records_export', 'Consents and records export (CSV)')], max_length=16, verbose_name='what'),
        ),
    ]
