"""Demo businesses and reservations: 30 days of bookings, so `make run` shows full charts.

Made through the services (so each is audited and announced like any other
change), then dated back: a business's `created_at` and a reservation's
`created_at`/`cancelled_at` as if they had happened over the last 30 days. The
audit log keeps the truth (made now, from the shell).
"""

from __future__ import annotations

import random
import unicodedata
from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from .models import Business, Reservation
from .services import business_create, reservations_import

# (name, subdomain, owner's username, reservations per day at most)
DEMO_BUSINESSES = [
    ("Tidewire Salon", "tidewire-salon", "owner", 6),
    ("Barber & Brush", "barber-brush", "owner", 4),
    ("Nail Studio Nova", "nova-nails", "owner2", 5),
    ("Oscar's Cuts", "oscars-cuts", "owner2", 3),
]
SERVICES = ["Haircut", "Colour", "Blow-dry", "Beard trim", "Manicure", "Pedicure"]
CUSTOMERS = [
    "Alice Martin",
    "Bruno Costa",
    "Chloé Durand",
    "Deepa Rao",
    "Emil Novak",
    "Fatima Zahra",
    "Greta Olsen",
    "Hugo Weber",
    "Ines Silva",
    "Jonas Berg",
]
DAYS_BACK = 30
DAYS_AHEAD = 14


def seed_bookings(*, seed: int = 4) -> int:
    """Create the demo businesses and their reservations when there are none; how many of both."""
    if Business.objects.exists():
        return 0
    rng = random.Random(seed)  # the same demo every time
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    created = 0
    for index, (name, subdomain, owner, per_day) in enumerate(DEMO_BUSINESSES):
        business = business_create(
            name=name, subdomain=subdomain, owner=User.objects.get(username=owner)
        )
        Business.objects.filter(pk=business.pk).update(
            created_at=now - timedelta(days=DAYS_BACK - 2 - index * 7, hours=rng.randint(0, 9))
        )
        rows = []
        for day in range(-DAYS_BACK + 1, DAYS_AHEAD + 1):
            for _ in range(rng.randint(0, per_day)):
                starts_at = now.replace(hour=rng.randint(9, 18)) + timedelta(days=day)
                past = starts_at < now
                status = rng.choices(
                    ["confirmed", "cancelled", "pending"],
                    weights=[85, 15, 0] if past else [50, 10, 40],
                )[0]
                customer = rng.choice(CUSTOMERS)
                rows.append(
                    {
                        "customer_name": customer,
                        "customer_email": _email(customer),
                        "service": rng.choice(SERVICES),
                        "starts_at": starts_at,
                        "status": status,
                    }
                )
        reservations = reservations_import(business_id=business.pk, rows=rows)
        _date_back(reservations, now, rng)
        created += 1 + len(reservations)
    return created


def _email(name: str) -> str:
    """chloe@example.com for "Chloé Durand": an ASCII address for every demo name."""
    first = unicodedata.normalize("NFKD", name.split()[0]).encode("ascii", "ignore").decode()
    return f"{first.lower()}@example.com"


def _date_back(reservations: list[Reservation], now, rng: random.Random) -> None:
    """Booked up to three days before the appointment, within the last 30 days."""
    oldest = now - timedelta(days=DAYS_BACK - 1)
    for reservation in reservations:
        booked = reservation.starts_at - timedelta(hours=rng.randint(2, 72))
        booked = min(max(booked, oldest), now - timedelta(minutes=rng.randint(5, 600)))
        cancelled = None
        if reservation.status == Reservation.Status.CANCELLED:
            cancelled = min(booked + timedelta(hours=rng.randint(1, 48)), now)
        Reservation.objects.filter(pk=reservation.pk).update(
            created_at=booked, cancelled_at=cancelled
        )
