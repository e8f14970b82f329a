import datetime as dt

from django.db import migrations, models


def fill_art39(apps, schema_editor):
    """Art. 39-1 date of existing cases: reached + 15 days, or the day a refusal was sent; none for
    purpose notices only (the rule of ``requests_app.derived.art39_on``, frozen here)."""
    Request = apps.get_model("requests_app", "Request")
    Response = apps.get_model("requests_app", "Response")
    for case in Request.objects.prefetch_related("items__decision").iterator(chunk_size=500):
        items = [item for item in case.items.all() if item.kind != "purpose_notice"]
        if not items:
            continue
        refused = {
            item.pk for item in items if hasattr(item, "decision") and item.decision.outcome in {"partial", "refuse"}
        }
        sent = (
            [r.sent_on for r in Response.objects.filter(request=case, letter__items__in=refused).distinct()]
            if refused
            else []
        )
        wait_over = case.reached_on + dt.timedelta(days=15)
        Request.objects.filter(pk=case.pk).update(art39_on=min([wait_over, *sent]))


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0009_history_operation_codes"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalrequest",
            name="art39_on",
            field=models.DateField(
                blank=True,
                db_index=True,
                editable=False,
                help_text="From this day the person may sue (Art. 39); none for purpose notices only.",
                null=True,
                verbose_name="Art. 39 date",
            ),
        ),
        migrations.AddField(
            model_name="request",
            name="art39_on",
            field=models.DateField(
                blank=True,
                db_index=True,
                editable=False,
                help_text="From this day the person may sue (Art. 39); none for purpose notices only.",
                null=True,
                verbose_name="Art. 39 date",
            ),
        ),
        migrations.RunPython(fill_art39, migrations.RunPython.noop),
    ]
