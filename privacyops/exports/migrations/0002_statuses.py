from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("exports", "0001_export_jobs"),
    ]

    operations = [
        migrations.AlterField(
            model_name="export",
            name="expires_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="kept until"),
        ),
        migrations.AlterField(
            model_name="export",
            name="kind",
            field=models.CharField(max_length=40, verbose_name="kind"),
        ),
        migrations.AlterField(
            model_name="export",
            name="rows_done",
            field=models.PositiveIntegerField(default=0, verbose_name="records written"),
        ),
        migrations.AlterField(
            model_name="export",
            name="rows_total",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="records in all"),
        ),
        migrations.AlterField(
            model_name="export",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "Waiting its turn"),
                    ("running", "Being made"),
                    ("done", "Ready to download"),
                    ("failed", "Failed"),
                    ("cancelled", "Cancelled"),
                    ("expired", "Deleted"),
                ],
                default="queued",
                max_length=10,
                verbose_name="status",
            ),
        ),
    ]
