from django.db import migrations, models
from django.db.models import Min, OuterRef, Subquery


def backfill(apps, schema_editor):
    """Existing waits: when their history row of creation was written (one statement)."""
    Pause = apps.get_model("requests_app", "Pause")
    HistoricalPause = apps.get_model("requests_app", "HistoricalPause")
    first = (
        HistoricalPause.objects.filter(id=OuterRef("pk"), history_type="+")
        .order_by()
        .values("id")
        .annotate(at=Min("history_date"))
        .values("at")[:1]
    )
    Pause.objects.filter(created_at__isnull=True).update(created_at=Subquery(first))


class Migration(migrations.Migration):

    dependencies = [
        ('requests_app', '0030_complaint_purge'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalpause',
            name='created_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='asked at'),
        ),
        migrations.AddField(
            model_name='pause',
            name='created_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='asked at'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
