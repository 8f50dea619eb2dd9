"""Seed demo data for development; refuses to run under production settings."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.records.demo import seed_records


class Command(BaseCommand):
    help = "Create demo records (idempotent) and print where to start."

    def handle(self, *args, **options):
        if not getattr(settings, "TIDEWIRE_DEMO", False):
            raise CommandError("Demo data is for development only (TIDEWIRE_DEMO is off).")
        created = seed_records()
        self.stdout.write(self.style.SUCCESS(f"Demo records: {created} created."))
        self.stdout.write("Open http://127.0.0.1:8000/window1/ and /window2/ side by side.")
