"""What every history row carries (an operation code), and the access log (SPEC §12)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class AuditOp(models.TextChoices):
    """Operation codes of the project itself (apps register their own, see ``registry``)."""

    ADMIN_EDIT = "admin_edit", _("Edited in the set-up screens")
    LANGUAGE = "language", _("Language switched")


class HistoryOperation(models.Model):
    """Base of every historical model: the operation that wrote the row, as a code.

    The free-text note is simple-history's ``history_change_reason`` (a text field here). Labels
    are translated when read (``registry.operation_label``), never stored as sentences.
    """

    history_operation = models.CharField(_("operation"), max_length=40, blank=True, default="")

    class Meta:
        abstract = True


class AccessKind(models.TextChoices):
    CASE = "case", _("Case page")
    CASE_LIST = "case_list", _("List of cases")
    LETTER = "letter", _("Letter (print or PDF)")
    HISTORY = "history", _("Case history")
    ACTION = "action", _("Case action page")
    AUDIT = "audit", _("Audit trail")
    EXPORT = "export", _("Audit trail export (CSV)")
    RECORDS = "records", _("Consents and records of provision")
    RECORDS_EXPORT = "records_export", _("Consents and records export (CSV)")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOCKED_OUT = "locked_out", _("Login locked after repeated failures")
    LOGIN_REFUSED_LOCKED = "login_refused_locked", _("Login refused: account locked")
    TWO_FACTOR_FAILED = "two_factor_failed", _("Wrong two-factor code")
    TWO_FACTOR_ENROLLED = "two_factor_enrolled", _("Two-factor login set up")
    TWO_FACTOR_RESET = "two_factor_reset", _("Two-factor login removed")
    DOCUMENT_FILE = "document_file", _("Identity document file")
    # The requester's own pages (issue 14): the user is the portal's system account.
    PORTAL_STATUS = "portal_status", _("Status page (requester, online)")
    PORTAL_DOWNLOAD = "portal_download", _("Result downloaded by link (requester)")
    PORTAL_LOCKED = "portal_locked", _("Online access locked after wrong PINs")
    # Records for the audit (issue 15).
    LEDGER = "ledger", _("Request ledger")
    LEDGER_EXPORT = "ledger_export", _("Request ledger export (CSV, Excel, PDF)")
    COMPLAINT = "complaint", _("Complaint or consultation page")
    COMPLAINT_HISTORY = "complaint_history", _("Complaint or consultation history")


class AccessLog(models.Model):
    """Who looked at whose personal data, when, from where (SPEC §12). Written, never edited."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accesses",
        verbose_name=_("user"),
        help_text=_("Empty for a failed login with a username nobody has."),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("what"), max_length=24, choices=AccessKind)
    request = models.ForeignKey(
        "requests_app.Request",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accesses",
        verbose_name=_("case"),
    )
    organization = models.ForeignKey(
        "requests_app.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organization"),
    )
    path = models.CharField(_("page"), max_length=500)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        db_table = "privacyops_accesslog"  # kept from before the audit app existed
        ordering = ["-at", "-id"]
        verbose_name = _("access to personal data")
        verbose_name_plural = _("accesses to personal data")
        indexes = [
            models.Index(fields=["request", "-at"], name="access_request_idx"),
            models.Index(fields=["user", "-at"], name="access_user_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"


def audit_history(**kwargs):
    """``HistoricalRecords`` for a tracked model: every row carries its operation code (use it on
    every model instead of a bare ``HistoricalRecords()``)."""
    return HistoricalRecords(bases=[HistoryOperation], **kwargs)
