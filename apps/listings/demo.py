"""Demo listings for development: the demo seller's things for sale (apps/accounts/demo.py)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import User

from .models import Listing
from .services import listing_create

DEMO_SELLER = "seller"
LAPTOP_TITLE = "Laptop for Sale"
# (title, description, price, status); the first is the one the chat demo talks about.
DEMO_LISTINGS = [
    (
        LAPTOP_TITLE,
        "ThinkPad T14, 16 GB RAM, 512 GB SSD. Light scratches on the lid, battery holds 6 hours.",
        Decimal("450.00"),
        Listing.Status.AVAILABLE,
    ),
    (
        "Engineering Books",
        "Five textbooks: calculus, statics, circuits, thermodynamics, signals. Pencil notes.",
        Decimal("35.00"),
        Listing.Status.AVAILABLE,
    ),
    (
        "Mountain bike",
        "Hardtail, 29-inch wheels, size M. Serviced this spring.",
        Decimal("220.00"),
        Listing.Status.AVAILABLE,
    ),
    ("Desk lamp", "LED, adjustable arm, warm light.", Decimal("15.00"), Listing.Status.RESERVED),
]


def seed_listings() -> int:
    """Create the demo listings when there are none (edits made since are kept); how many."""
    if Listing.objects.exists():
        return 0
    seller = User.objects.get(username=DEMO_SELLER)  # seed_accounts() runs first
    for title, description, price, status in DEMO_LISTINGS:
        listing_create(
            seller=seller, title=title, description=description, price=price, status=status
        )
    return len(DEMO_LISTINGS)


def demo_laptop() -> Listing:
    """The demo seller's laptop, which the chat demo's conversation is about (the first one,
    should the seller have listed another); raises Listing.DoesNotExist before seeding."""
    return Listing.objects.filter(seller__username=DEMO_SELLER, title=LAPTOP_TITLE).earliest("id")
