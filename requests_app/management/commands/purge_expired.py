import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from requests_app import services


class Command(BaseCommand):
    help = "Erase personal data of ended cases past their organization's retention period (SPEC §14)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Behave as on this day (YYYY-MM-DD); default today in Asia/Tokyo.")
        parser.add_argument("--dry-run", action="store_true", help="List the cases that are due; erase nothing.")

    def handle(self, *args, **options):
        try:
            today = dt.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--date must be YYYY-MM-DD: {exc}") from exc
        references = services.purge_expired(today=today, dry_run=options["dry_run"])
        verb = "due for purge" if options["dry_run"] else "purged"
        for reference in references:
            self.stdout.write(f"{verb}: {reference}")
        self.stdout.write(f"{len(references)} case(s) {verb} as of {today}.")
