import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

from requests_app.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0016_response_delivery_state"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalDocumentFile",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                (
                    "history_operation",
                    models.CharField(blank=True, default="", max_length=40, verbose_name="operation"),
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
                ("uploaded_at", models.DateTimeField(blank=True, editable=False, verbose_name="attached at")),
                ("erased_at", models.DateTimeField(blank=True, null=True, verbose_name="file erased at")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "document",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="requests_app.identitydocument",
                        verbose_name="identity document",
                    ),
                ),
                (
                    "erased_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="file erased by",
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
                    "uploaded_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="attached by",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical identity document file",
                "verbose_name_plural": "historical identity document files",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="DocumentFile",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
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
                ("uploaded_at", models.DateTimeField(auto_now_add=True, verbose_name="attached at")),
                ("erased_at", models.DateTimeField(blank=True, null=True, verbose_name="file erased at")),
                (
                    "document",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="file",
                        to="requests_app.identitydocument",
                        verbose_name="identity document",
                    ),
                ),
                (
                    "erased_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="file erased by",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="attached by",
                    ),
                ),
            ],
            options={
                "verbose_name": "identity document file",
                "verbose_name_plural": "identity document files",
                "permissions": [("open_documentfile", "Can open identity document files")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("erased_at__isnull", True), ("storage_name__gt", "")),
                            models.Q(("erased_at__isnull", False), ("storage_name", "")),
                            _connector="OR",
                        ),
                        name="document_file_kept_or_erased",
                    )
                ],
            },
        ),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
