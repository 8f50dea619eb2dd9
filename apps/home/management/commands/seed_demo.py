"""Seed demo data for development; refuses to run under production settings."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.accounts.demo import DEMO_ACCOUNTS, seed_accounts
from apps.bookings.demo import seed_bookings
from apps.chat.demo import seed_conversations
from apps.listings.demo import seed_listings
from apps.offers.demo import seed_offers
from apps.records.demo import seed_records


class Command(BaseCommand):
    help = "Create demo records (idempotent) and print where to start."

    def handle(self, *args, **options):
        if not getattr(settings, "TIDEWIRE_DEMO", False):
            raise CommandError("Demo data is for development only (TIDEWIRE_DEMO is off).")
        accounts = seed_accounts()
        records = seed_records()
        listings = seed_listings()
        messages = seed_conversations()
        offers = seed_offers()
        bookings = seed_bookings()
        created = (
            f"{accounts} accounts, {records} records, {listings} listings, "
            f"{messages} chat messages, {offers} offers and {bookings} businesses and reservations"
        )
        self.stdout.write(self.style.SUCCESS(f"Demo data: {created} created."))
        self.stdout.write("Log in at http://127.0.0.1:8000/accounts/login/ as:")
        for account in DEMO_ACCOUNTS:
            self.stdout.write(
                f"  {account.username:<8} password {account.password:<18} {account.description}"
            )
        self.stdout.write("Then open /window1/ and /window2/ side by side.")
        self.stdout.write(
            "For the marketplace, open /listings/ and /chat/ as seller and as buyer "
            "(two browsers, or one private window)."
        )
        self.stdout.write(
            "For bookings, open /dashboard/ as admin and /business/ as owner or owner2."
        )
