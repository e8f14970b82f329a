import django.core.validators
import django.db.models.deletion
import requests_app.validators
import simple_history.models
from django.conf import settings
from django.db import migrations, models

from requests_app.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0020_request_form_and_bank_account"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="deskpolicy",
            name="download_link_days",
            field=models.PositiveSmallIntegerField(
                default=14,
                help_text="A result sent by download link can be opened until the end of this many calendar days.",
                validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(90)],
                verbose_name="download links valid for (days)",
            ),
        ),
        migrations.AddField(
            model_name="historicaldeskpolicy",
            name="download_link_days",
            field=models.PositiveSmallIntegerField(
                default=14,
                help_text="A result sent by download link can be opened until the end of this many calendar days.",
                validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(90)],
                verbose_name="download links valid for (days)",
            ),
        ),
        migrations.AlterField(
            model_name="historicalrequest",
            name="preferred_response_method",
            field=models.CharField(
                blank=True,
                choices=[
                    ("post", "Post"),
                    ("registered_mail", "Registered mail"),
                    ("email", "E-mail"),
                    ("electronic_file", "Electronic file"),
                    ("self_service", "Through the service (My Page)"),
                    ("download_link", "Download link (online, with the PIN)"),
                ],
                max_length=32,
                verbose_name="preferred response method",
            ),
        ),
        migrations.AlterField(
            model_name="historicalresponse",
            name="method",
            field=models.CharField(
                choices=[
                    ("post", "Post"),
                    ("registered_mail", "Registered mail"),
                    ("email", "E-mail"),
                    ("electronic_file", "Electronic file (handed over)"),
                    ("download_link", "Download link (online, with the PIN)"),
                ],
                max_length=32,
                verbose_name="method",
            ),
        ),
        migrations.AlterField(
            model_name="request",
            name="preferred_response_method",
            field=models.CharField(
                blank=True,
                choices=[
                    ("post", "Post"),
                    ("registered_mail", "Registered mail"),
                    ("email", "E-mail"),
                    ("electronic_file", "Electronic file"),
                    ("self_service", "Through the service (My Page)"),
                    ("download_link", "Download link (online, with the PIN)"),
                ],
                max_length=32,
                verbose_name="preferred response method",
            ),
        ),
        migrations.AlterField(
            model_name="response",
            name="method",
            field=models.CharField(
                choices=[
                    ("post", "Post"),
                    ("registered_mail", "Registered mail"),
                    ("email", "E-mail"),
                    ("electronic_file", "Electronic file (handed over)"),
                    ("download_link", "Download link (online, with the PIN)"),
                ],
                max_length=32,
                verbose_name="method",
            ),
        ),
        migrations.CreateModel(
            name="DeliveryLink",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token_hash", models.CharField(editable=False, max_length=64, unique=True)),
                ("expires_at", models.DateTimeField(verbose_name="valid until")),
                ("revoked_at", models.DateTimeField(blank=True, editable=False, null=True, verbose_name="revoked at")),
                (
                    "revoke_reason",
                    models.TextField(
                        blank=True,
                        validators=[requests_app.validators.reject_individual_number],
                        verbose_name="why revoked",
                    ),
                ),
                (
                    "response",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="link",
                        to="requests_app.response",
                        verbose_name="response",
                    ),
                ),
                (
                    "revoked_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="revoked by",
                    ),
                ),
            ],
            options={
                "verbose_name": "download link",
                "verbose_name_plural": "download links",
            },
        ),
        migrations.CreateModel(
            name="HistoricalDeliveryLink",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                (
                    "history_operation",
                    models.CharField(blank=True, default="", max_length=40, verbose_name="operation"),
                ),
                ("expires_at", models.DateTimeField(verbose_name="valid until")),
                ("revoked_at", models.DateTimeField(blank=True, editable=False, null=True, verbose_name="revoked at")),
                (
                    "revoke_reason",
                    models.TextField(
                        blank=True,
                        validators=[requests_app.validators.reject_individual_number],
                        verbose_name="why revoked",
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
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
                    "response",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="requests_app.response",
                        verbose_name="response",
                    ),
                ),
                (
                    "revoked_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="revoked by",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical download link",
                "verbose_name_plural": "historical download links",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalPortalAccess",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                (
                    "history_operation",
                    models.CharField(blank=True, default="", max_length=40, verbose_name="operation"),
                ),
                ("created_at", models.DateTimeField(blank=True, editable=False, verbose_name="issued at")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
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
                    "request",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="requests_app.request",
                        verbose_name="request",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical online access",
                "verbose_name_plural": "historical online accesses",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalPortalSettings",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                (
                    "history_operation",
                    models.CharField(blank=True, default="", max_length=40, verbose_name="operation"),
                ),
                ("enabled", models.BooleanField(default=False, verbose_name="online requests open")),
                (
                    "intro",
                    models.TextField(
                        blank=True,
                        help_text="Shown above the request form.",
                        validators=[requests_app.validators.reject_individual_number],
                        verbose_name="introduction (Japanese)",
                    ),
                ),
                (
                    "intro_en",
                    models.TextField(
                        blank=True,
                        validators=[requests_app.validators.reject_individual_number],
                        verbose_name="introduction (English)",
                    ),
                ),
                (
                    "privacy_notice",
                    models.TextField(
                        blank=True,
                        help_text="Purpose of use of what the person sends, how long the copies are kept; shown before sending.",
                        validators=[requests_app.validators.reject_individual_number],
                        verbose_name="how the data sent is handled (Japanese)",
                    ),
                ),
                (
                    "privacy_notice_en",
                    models.TextField(
                        blank=True,
                        validators=[requests_app.validators.reject_individual_number],
                        verbose_name="how the data sent is handled (English)",
                    ),
                ),
                (
                    "after_submission",
                    models.TextField(
                        blank=True,
                        help_text="Shown with the reference and PIN: what happens next, how to pay a fee.",
                        validators=[requests_app.validators.reject_individual_number],
                        verbose_name="after sending (Japanese)",
                    ),
                ),
                (
                    "after_submission_en",
                    models.TextField(
                        blank=True,
                        validators=[requests_app.validators.reject_individual_number],
                        verbose_name="after sending (English)",
                    ),
                ),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
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
                    "organization",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="requests_app.organization",
                        verbose_name="organization",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical online request pages",
                "verbose_name_plural": "historical online request pages",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="PortalAccess",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("pin_hash", models.CharField(editable=False, max_length=200, verbose_name="PIN (hashed)")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="issued at")),
                (
                    "request",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="portal_access",
                        to="requests_app.request",
                        verbose_name="request",
                    ),
                ),
            ],
            options={
                "verbose_name": "online access",
                "verbose_name_plural": "online accesses",
            },
        ),
        migrations.CreateModel(
            name="PortalSettings",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("enabled", models.BooleanField(default=False, verbose_name="online requests open")),
                (
                    "intro",
                    models.TextField(
                        blank=True,
                        help_text="Shown above the request form.",
                        validators=[requests_app.validators.reject_individual_number],
                        verbose_name="introduction (Japanese)",
                    ),
                ),
                (
                    "intro_en",
                    models.TextField(
                        blank=True,
                        validators=[requests_app.validators.reject_individual_number],
                        verbose_name="introduction (English)",
                    ),
                ),
                (
                    "privacy_notice",
                    models.TextField(
                        blank=True,
                        help_text="Purpose of use of what the person sends, how long the copies are kept; shown before sending.",
                        validators=[requests_app.validators.reject_individual_number],
                        verbose_name="how the data sent is handled (Japanese)",
                    ),
                ),
                (
                    "privacy_notice_en",
                    models.TextField(
                        blank=True,
                        validators=[requests_app.validators.reject_individual_number],
                        verbose_name="how the data sent is handled (English)",
                    ),
                ),
                (
                    "after_submission",
                    models.TextField(
                        blank=True,
                        help_text="Shown with the reference and PIN: what happens next, how to pay a fee.",
                        validators=[requests_app.validators.reject_individual_number],
                        verbose_name="after sending (Japanese)",
                    ),
                ),
                (
                    "after_submission_en",
                    models.TextField(
                        blank=True,
                        validators=[requests_app.validators.reject_individual_number],
                        verbose_name="after sending (English)",
                    ),
                ),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                (
                    "organization",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="portal",
                        to="requests_app.organization",
                        verbose_name="organization",
                    ),
                ),
            ],
            options={
                "verbose_name": "online request pages",
                "verbose_name_plural": "online request pages",
            },
        ),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
