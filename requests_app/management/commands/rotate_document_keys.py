"""Re-seal every kept identity-document file under the newest key of DOCUMENT_KEYS.

Rotation, step by step (README, "Identity-document files"):
1. generate a key: ``python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'``;
2. put it first in DOCUMENT_KEYS, the old keys after it, and restart web and workers;
3. ``python manage.py rotate_document_keys`` (files already under the newest key are skipped; it can
   be run again after an interruption);
4. when it reports no file left under an old key, remove the old keys and restart.
"""

from django.core.management.base import BaseCommand, CommandError

from privacyops.sealed_files import SealBroken
from requests_app import document_files
from requests_app.models import DocumentFile


class Command(BaseCommand):
    help = "Re-encrypt every kept identity-document file under the first key of DOCUMENT_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count the files to re-seal; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        rotated = current = 0
        problems = []
        files = DocumentFile.objects.filter(erased_at__isnull=True).order_by("pk").only("pk", "storage_name")
        for attached in files.iterator(chunk_size=200):
            try:
                changed = document_files.rotate(attached.storage_name, dry_run=dry_run)
            except FileNotFoundError:
                problems.append(f"file #{attached.pk}: the stored file is missing")
                continue
            except SealBroken:
                problems.append(f"file #{attached.pk}: no configured key opens it")
                continue
            rotated += changed
            current += not changed
        verb = "to re-seal" if dry_run else "re-sealed"
        self.stdout.write(f"{rotated} file(s) {verb}, {current} already under the newest key.")
        if problems:
            raise CommandError(
                f"{len(problems)} file(s) could not be re-sealed; keep the old keys until this is solved:\n"
                + "\n".join(problems)
            )
