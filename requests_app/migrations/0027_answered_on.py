from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery


def backfill(apps, schema_editor):
    """Existing cases: the day their last result notice was sent (one statement, no history row:
    a derived column like the search key)."""
    Request = apps.get_model("requests_app", "Request")
    Response = apps.get_model("requests_app", "Response")
    last_result = (
        Response.objects.filter(request=OuterRef("pk"), letter__kind="result", state="sent")
        .order_by()
        .values("request")
        .annotate(last=Max("sent_on"))
        .values("last")[:1]
    )
    Request.objects.update(answered_on=Subquery(last_result))


class Migration(migrations.Migration):

    dependencies = [
        ('requests_app', '0026_complaint_reminders'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalrequest',
            name='answered_on',
            field=models.DateField(blank=True, editable=False, null=True, verbose_name='answered on'),
        ),
        migrations.AddField(
            model_name='request',
            name='answered_on',
            field=models.DateField(blank=True, editable=False, null=True, verbose_name='answered on'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
