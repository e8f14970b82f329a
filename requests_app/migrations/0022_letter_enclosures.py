import django.db.models.deletion
import requests_app.validators
import simple_history.models
from django.conf import settings
from django.db import migrations, models

from requests_app.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0021_requester_portal"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalLetterEnclosure",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                (
                    "history_operation",
                    models.CharField(blank=True, default="", max_length=40, verbose_name="operation"),
                ),
                (
                    "name",
                    models.CharField(
                        max_length=200,
                        validators=[
                            requests_app.validators.reject_individual_number,
                            requests_app.validators.reject_line_breaks,
                        ],
                        verbose_name="file name",
                    ),
                ),
                (
                    "content_type",
                    models.CharField(
                        choices=[("application/pdf", "PDF"), ("image/jpeg", "JPEG"), ("image/png", "PNG")],
                        max_length=32,
                        verbose_name="file type",
                    ),
                ),
                ("size", models.PositiveIntegerField(verbose_name="size (bytes)")),
                ("sha256", models.CharField(max_length=64, verbose_name="SHA-256 of the file")),
                ("added_at", models.DateTimeField(blank=True, editable=False, verbose_name="added at")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "added_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="added by",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "letter",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="requests_app.letter",
                        verbose_name="letter",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical enclosed file",
                "verbose_name_plural": "historical enclosed files",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="LetterEnclosure",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "name",
                    models.CharField(
                        max_length=200,
                        validators=[
                            requests_app.validators.reject_individual_number,
                            requests_app.validators.reject_line_breaks,
                        ],
                        verbose_name="file name",
                    ),
                ),
                (
                    "content_type",
                    models.CharField(
                        choices=[("application/pdf", "PDF"), ("image/jpeg", "JPEG"), ("image/png", "PNG")],
                        max_length=32,
                        verbose_name="file type",
                    ),
                ),
                ("size", models.PositiveIntegerField(verbose_name="size (bytes)")),
                ("sha256", models.CharField(max_length=64, verbose_name="SHA-256 of the file")),
                (
                    "storage_name",
                    models.CharField(blank=True, editable=False, max_length=200, verbose_name="stored as"),
                ),
                ("added_at", models.DateTimeField(auto_now_add=True, verbose_name="added at")),
                (
                    "added_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="added by",
                    ),
                ),
                (
                    "letter",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="enclosures",
                        to="requests_app.letter",
                        verbose_name="letter",
                    ),
                ),
            ],
            options={
                "verbose_name": "enclosed file",
                "verbose_name_plural": "enclosed files",
                "ordering": ["letter", "pk"],
            },
        ),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
