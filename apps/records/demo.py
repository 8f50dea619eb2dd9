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
    """Create the demo records when there are none (edits made since are kept)."""
    if UserRecord.objects.exists():
        return 0
    for first_name, last_name in DEMO_NAMES:
        user_record_create(first_name=first_name, last_name=last_name)
    return len(DEMO_NAMES)
