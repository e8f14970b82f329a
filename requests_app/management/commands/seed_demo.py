from django.core.management.base import BaseCommand

from requests_app.demo import seed_demo


class Command(BaseCommand):
    help = "Load the demo organizations, staff accounts and requests (idempotent)."

    def handle(self, *args, **options):
        seed_demo(stdout=self.stdout)
