from django.core.management.base import BaseCommand

from requests_app import services
from requests_app.management.options import add_date_option, date_option
from requests_app.models import ReminderKind, ReminderLog, ReminderStatus


class Command(BaseCommand):
    help = (
        "The reminder sweep of SPEC §13 without Celery: claim today's reminders and send one digest per person. "
        "Safe to run twice: nothing is sent twice."
    )

    def add_arguments(self, parser):
        add_date_option(parser)
        parser.add_argument("--dry-run", action="store_true", help="Print what would be sent; send and record nothing.")

    def handle(self, *args, **options):
        today = date_option(options)
        if options["dry_run"]:
            # Translated once, not once per line (a dry run over a big desk prints many lines).
            self._labels = {kind: f"{ReminderKind(kind).label!s:<40}" for kind in ReminderKind.values}
            result = services.reminder_sweep(today=today, dry_run=True, on_plan=self._print_planned)
            self._print_skipped(result)
            self.stdout.write(
                f"{result.day}: would send {result.planned_count} reminder(s) to {len(result.recipients)} person(s)."
            )
            return
        result = services.reminder_sweep(today=today)
        self._print_skipped(result)
        sent = failed = 0
        recipients = (
            ReminderLog.objects.filter(status=ReminderStatus.PENDING, day__lte=today)
            .order_by("recipient_id")  # not the model's ordering: it would defeat DISTINCT
            .values_list("recipient_id", flat=True)
            .distinct()
        )
        for recipient_id in list(recipients):
            try:
                sent += services.reminder_digest_send(recipient_id=recipient_id, today=today)
            except services.SMTP_ERRORS as exc:
                failed += 1
                self.stderr.write(f"user {recipient_id}: not sent, will be retried on the next run ({exc})")
        self.stdout.write(f"{today}: {result.claimed} reminder(s) claimed, {sent} sent, {failed} digest(s) failed.")

    def _print_planned(self, recipient_id, request_id, kind, reference):
        self.stdout.write(f"user {recipient_id}  {self._labels[kind]}  {reference}")

    def _print_skipped(self, result):
        if result.skipped_organizations:
            self.stdout.write(f"not a business day for: {', '.join(result.skipped_organizations)}")
