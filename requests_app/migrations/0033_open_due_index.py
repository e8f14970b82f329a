from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0032_due_desc_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="request",
            index=models.Index(
                condition=models.Q(
                    (
                        "status__in",
                        [
                            "awaiting_approval",
                            "awaiting_requester",
                            "in_progress",
                            "received",
                            "responded",
                            "responding",
                            "verifying",
                        ],
                    )
                ),
                fields=["due_on", "-reached_on", "-id"],
                name="request_open_due_idx",
            ),
        ),
    ]
