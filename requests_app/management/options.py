"""Options shared by the management commands."""

import datetime as dt

from django.core.management.base import CommandError
from django.utils import timezone


def add_date_option(parser, help_text: str = "Behave as on this day (YYYY-MM-DD); default today in Asia/Tokyo."):
    parser.add_argument("--date", help=help_text)


def date_option(options) -> dt.date:
    """The ``--date`` given, or today in Asia/Tokyo; a clear error for a malformed date."""
    if not options.get("date"):
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(options["date"])
    except ValueError as exc:
        raise CommandError(f"--date must be YYYY-MM-DD: {exc}") from exc
