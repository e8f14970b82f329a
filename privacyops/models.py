from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from privacyops.audit.models import audit_history


class User(AbstractUser):
    """A member of staff. Never deleted (history would lose its author): deactivate instead."""

    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="ja",
        help_text=_("Language of the screens and of the e-mails this person receives."),
    )

    history = audit_history(m2m_fields=["groups", "user_permissions"], excluded_fields=["last_login"])

    def get_full_name(self):
        """Family name first, as Japanese names are written (高橋 誠)."""
        return f"{self.last_name} {self.first_name}".strip()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("staff user")
        verbose_name_plural = _("staff users")
