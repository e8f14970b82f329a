"""E-mail helpers shared by letters and reminders."""

from email.utils import make_msgid

from django.conf import settings


def new_message_id() -> str:
    """A Message-ID under the sender's domain, set by us so that it can be stored before sending."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or "privacyops.local"
    return make_msgid(domain=domain)
