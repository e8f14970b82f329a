from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.forms import ValidationError

from consents import forms, services
from requests_app.models import Organization


class Command(BaseCommand):
    help = (
        "Import records of provision and receipt from a CSV file (the import page's format, without its "
        "row limit): all rows or none; every problem is printed by row and column (SPEC §11)."
    )

    def add_arguments(self, parser):
        parser.add_argument("organization", help="The organization's code, e.g. leverages.")
        parser.add_argument("file", type=Path, help="UTF-8 or Shift_JIS CSV with a header row.")
        parser.add_argument("--user", required=True, help="The staff user the history names (must work there).")

    def handle(self, *args, **options):
        organization = Organization.objects.filter(code=options["organization"]).first()
        if organization is None:
            raise CommandError(f"No organization with the code {options['organization']!r}.")
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['user']!r}.")
        path: Path = options["file"]
        try:
            text = forms.decode(path.read_bytes())
            rows, errors = forms.parse_records_csv(text, organization_id=organization.pk, max_rows=None)
            count = services.records_import(
                actor=user, organization_id=organization.pk, rows=rows, errors=errors, source=path.name[:100]
            )
        except OSError as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        except services.ImportRefused as refused:
            for row, column, message in refused.errors:
                self.stderr.write(f"row {row}, {column or '-'}: {message}")
            raise CommandError(f"Nothing was imported: {len(refused.errors)} problem(s).") from None
        except services.TransitionNotAllowed as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{count} record(s) imported for {organization.code}.")
