"""Options shared by the management commands."""

import datetime as dt

from django.core.management.base import CommandError
from django.utils import timezone

FIRST_YEAR, LAST_YEAR = 2000, 2100


def add_date_option(parser, help_text: str = "Behave as on this day (YYYY-MM-DD); default today in Asia/Tokyo."):
    parser.add_argument("--date", help=help_text)


def date_option(options) -> dt.date:
    """The ``--date`` given, or today in Asia/Tokyo; a clear error for a malformed date."""
    if not options.get("date"):
        return timezone.localdate()
    try:
        day = dt.date.fromisoformat(options["date"])
    except ValueError as exc:
        raise CommandError(f"--date must be YYYY-MM-DD: {exc}") from exc
    # The calendar counts business days around the date: far ends of the calendar overflow.
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise CommandError(f"--date must be between {FIRST_YEAR} and {LAST_YEAR}: {day}")
    return day
