from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class User(AbstractUser):
    """A member of staff. Never deleted (history would lose its author): deactivate instead."""

    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="ja",
        help_text=_("Language of the screens and of the e-mails this person receives."),
    )

    history = HistoricalRecords(m2m_fields=["groups"], excluded_fields=["last_login"])

    def get_full_name(self):
        """Family name first, as Japanese names are written (高橋 誠)."""
        return f"{self.last_name} {self.first_name}".strip()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("staff user")
        verbose_name_plural = _("staff users")


class AccessKind(models.TextChoices):
    CASE = "case", _("Case page")
    CASE_LIST = "case_list", _("List of cases")
    LETTER = "letter", _("Letter (print or PDF)")
    HISTORY = "history", _("Case history")
    ACTION = "action", _("Case action page")
    AUDIT = "audit", _("Audit trail")
    EXPORT = "export", _("Audit trail export (CSV)")


class AccessLog(models.Model):
    """Who looked at whose personal data, when, from where (SPEC §12). Written, never edited."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="accesses", verbose_name=_("user")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("what"), max_length=16, choices=AccessKind)
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
        ordering = ["-at", "-id"]
        verbose_name = _("access to personal data")
        verbose_name_plural = _("accesses to personal data")
        indexes = [
            models.Index(fields=["request", "-at"], name="access_request_idx"),
            models.Index(fields=["user", "-at"], name="access_user_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"
