from django.core.management.base import BaseCommand

from requests_app import services
from requests_app.management.options import add_date_option, date_option


class Command(BaseCommand):
    help = (
        "Erase personal data of ended cases and closed complaints past their organization's retention "
        "period (SPEC §14)."
    )

    def add_arguments(self, parser):
        add_date_option(parser)
        parser.add_argument("--dry-run", action="store_true", help="List the cases that are due; erase nothing.")

    def handle(self, *args, **options):
        today = date_option(options)
        references = services.purge_expired(today=today, dry_run=options["dry_run"])
        verb = "due for purge" if options["dry_run"] else "purged"
        for reference in references:
            self.stdout.write(f"{verb}: {reference}")
        held = services.requests_held_from_purge(today)
        for case, hold in held:
            self.stdout.write(f"kept (legal hold since {hold.placed_on.isoformat()}): {case.reference}")
        held_complaints = services.complaints_held_from_purge(today)
        for complaint_id in held_complaints:
            self.stdout.write(f"kept (legal hold on its case): C-{complaint_id}")
        self.stdout.write(
            f"{len(references)} case(s) and complaint(s) {verb} as of {today}; "
            f"{len(held) + len(held_complaints)} kept under a legal hold."
        )
