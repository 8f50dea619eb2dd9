"""Create the sample users (the seeds' create_sample_data.py, as a command)."""

from django.core.management.base import BaseCommand

from user_app.models import User

SAMPLE_USERS = [
    ("Ada", "Lovelace"),
    ("Alan", "Turing"),
    ("Grace", "Hopper"),
    ("Edsger", "Dijkstra"),
    ("Barbara", "Liskov"),
]


class Command(BaseCommand):
    help = "Create the sample users that are missing."

    def handle(self, *args, **options):
        created = 0
        for first_name, last_name in SAMPLE_USERS:
            _, new = User.objects.get_or_create(first_name=first_name, last_name=last_name)
            created += new
        self.stdout.write(f"Sample users: {created} created.")
