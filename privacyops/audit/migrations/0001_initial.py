"""The access log moves from the project package to the audit app: same table, state only."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("privacyops", "0003_access_kinds"),
        ("requests_app", "0008_pause_keeps_return_state"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AccessLog",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="at")),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("case", "Case page"),
                                    ("case_list", "List of cases"),
                                    ("letter", "Letter (print or PDF)"),
                                    ("history", "Case history"),
                                    ("action", "Case action page"),
                                    ("audit", "Audit trail"),
                                    ("export", "Audit trail export (CSV)"),
                                ],
                                max_length=16,
                                verbose_name="what",
                            ),
                        ),
                        ("path", models.CharField(max_length=500, verbose_name="page")),
                        ("ip_address", models.GenericIPAddressField(blank=True, null=True, verbose_name="IP address")),
                        (
                            "organization",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="requests_app.organization",
                                verbose_name="organization",
                            ),
                        ),
                        (
                            "request",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="accesses",
                                to="requests_app.request",
                                verbose_name="case",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="accesses",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="user",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "access to personal data",
                        "verbose_name_plural": "accesses to personal data",
                        "ordering": ["-at", "-id"],
                        "db_table": "privacyops_accesslog",
                        "indexes": [
                            models.Index(fields=["request", "-at"], name="access_request_idx"),
                            models.Index(fields=["user", "-at"], name="access_user_idx"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
