from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting its turn")
    RUNNING = "running", _("Being made")
    DONE = "done", _("Ready to download")
    FAILED = "failed", pgettext_lazy("export status", "Failed")
    CANCELLED = "cancelled", pgettext_lazy("export status", "Cancelled")
    EXPIRED = "expired", pgettext_lazy("export status", "Deleted")


ACTIVE_STATUSES = (ExportStatus.QUEUED, ExportStatus.RUNNING)


class Export(models.Model):
    """One file a user asked for (an audit-trail CSV, a ledger, a list, letters as one PDF), made
    by a worker as that user (their permissions and organizations), downloadable by that user only,
    deleted ``EXPORT_KEEP_DAYS`` after it was made. The row stays as the record that it existed;
    ``params`` (filters, which may hold a searched name) are cleared with the file."""

    kind = models.CharField(pgettext_lazy("export", "kind"), max_length=40)
    title = models.CharField(_("file"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=ExportStatus, default=ExportStatus.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exports", verbose_name=_("asked by")
    )
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    organization = models.ForeignKey(
        "requests_app.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organization"),
    )
    language = models.CharField(_("language"), max_length=8, default="ja")
    params = models.JSONField(_("filters"), default=dict, blank=True)
    rows_done = models.PositiveIntegerField(_("records written"), default=0)
    rows_total = models.PositiveIntegerField(_("records in all"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("kept until"), null=True, blank=True)
    file_name = models.CharField(max_length=100, blank=True, editable=False)
    download_name = models.CharField(_("file name"), max_length=150, blank=True)
    content_type = models.CharField(max_length=100, blank=True, editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    error = models.TextField(_("why it failed"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [
            models.Index(fields=["created_by", "-created_at"], name="export_user_idx"),
            models.Index(fields=["status", "expires_at"], name="export_expiry_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def percent(self) -> int | None:
        """Progress in whole per cent, when the number of rows is known."""
        if self.status == ExportStatus.DONE:
            return 100
        if not self.rows_total:
            return None
        return min(99, self.rows_done * 100 // self.rows_total)
