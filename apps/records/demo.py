"""Demo user records for development."""

from .models import UserRecord
from .services import user_record_create

DEMO_NAMES = [
    ("Ada", "Lovelace"),
    ("Alan", "Turing"),
    ("Grace", "Hopper"),
    ("Edsger", "Dijkstra"),
    ("Barbara", "Liskov"),
]


def seed_records() -> int:
    """Create the demo records that are missing; returns how many were created."""
    created = 0
    for first_name, last_name in DEMO_NAMES:
        if not UserRecord.objects.filter(first_name=first_name, last_name=last_name).exists():
            user_record_create(first_name=first_name, last_name=last_name)
            created += 1
    return created
