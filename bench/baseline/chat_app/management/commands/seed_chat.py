"""Create N conversations, each with its own buyer and seller, and a session for each user.

Writes what the benchmark's clients need to $BENCH_WORKDIR/chat.json: per
conversation its id and, per participant (buyer first), the session cookie the
seed's AuthMiddlewareStack reads. Users get no usable password: a session made
here is what a login would have made, without a thousand password hashes.
"""

import json
import os
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand
from django.db import transaction

from chat_app.models import Conversation, Listing

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _session_cookie(user: User) -> dict[str, str]:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = BACKEND
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}"}


class Command(BaseCommand):
    help = "Create conversations for the chat benchmark and write their credentials."

    def add_arguments(self, parser):
        parser.add_argument("--conversations", type=int, required=True)

    @transaction.atomic
    def handle(self, *args, conversations, **options):
        rows = []
        for index in range(conversations):
            seller = User.objects.create_user(f"seller{index}", password=None)
            buyer = User.objects.create_user(f"buyer{index}", password=None)
            listing = Listing.objects.create(
                seller=seller, title=f"Item {index}", price=Decimal(10)
            )
            conversation = Conversation.objects.create(listing=listing, buyer=buyer, seller=seller)
            rows.append(
                {
                    "id": conversation.id,
                    "participants": [
                        {"user": user.id, "query": "", "headers": _session_cookie(user)}
                        for user in (buyer, seller)
                    ],
                }
            )
        out = Path(os.environ["BENCH_WORKDIR"]) / "chat.json"
        out.write_text(json.dumps({"conversations": rows}))
        self.stdout.write(f"{conversations} conversations written to {out}")
