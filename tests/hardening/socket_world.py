"""The people and things the socket fuzz and floods run against, and a bystander client.

`World`: a buyer in one conversation with a seller, and things of others (another
conversation, a business, a super admin). `Bystander`: a well-behaved client on a
socket of its own, following a topic; each of its events is committed before an
attack's frames go and read after them, so it travels while the server handles them.
`unchanged_rows()`: every app's rows, for "nothing stored changed".
"""

from __future__ import annotations

import time
from decimal import Decimal

from channels.db import database_sync_to_async
from django.contrib.auth.models import User
from django.db import transaction

from apps.bookings.services import business_create
from apps.chat.services import conversation_open, message_send
from apps.listings.services import listing_create
from tidewire.events import EventType
from tidewire.publish import publish
from tidewire.testing.sockets import Client, open_socket
from tidewire.testing.stored import stored_rows

from .socket_frames import Cast

PROJECT_APPS = [
    "auth",
    "tidewire",
    "accounts",
    "records",
    "listings",
    "chat",
    "offers",
    "notifications",
    "mailing",
    "bookings",
    "moderation",
    "audit",
]
# A generous liveness bound for the bystander: its events must keep coming, not
# come fast (the machine is shared); its latencies are reported, not asserted tight.
BYSTANDER_TIMEOUT = 5.0
BYSTANDER_TOPIC = "twtest.open.16"
TICK = EventType("hardening_bystander_tick", {"n": int})


def unchanged_rows() -> dict:
    """Every app's rows, leaving out what a well-behaved run moves on purpose."""
    return stored_rows(
        app_labels=PROJECT_APPS,
        # A socket leaving a conversation notes when its user was last there.
        ignore_fields={"chat.Participant": {"last_seen_at"}},
        # The bystander's own events.
        keep_row=lambda model, row: not str(row.get("topic", "")).startswith("twtest."),
    )


class World:
    """Who and what the fuzz runs against: a buyer in one conversation, and strangers' things."""

    def __init__(self) -> None:
        make = User.objects.create_user
        self.seller = make(username="fz-seller", password="x")
        self.buyer = make(username="fz-buyer", password="x")
        self.stranger = make(username="fz-stranger", password="x")
        self.admin = User.objects.create_superuser(username="fz-admin", password="x")
        listing = listing_create(seller=self.seller, title="Lamp", price=Decimal("5"))
        self.conversation, _ = conversation_open(listing_id=listing.pk, buyer=self.buyer)
        others, _ = conversation_open(listing_id=listing.pk, buyer=self.stranger)
        self.others_conversation = others
        message, _ = message_send(
            conversation_id=self.conversation.pk, sender=self.seller, body="Hi", client_id="s-1"
        )
        self.sellers_message = message.pk
        self.business = business_create(name="Salon", subdomain="fz-salon", owner=self.seller)

    def cast(self) -> Cast:
        """The ids the frame strategies name."""
        return Cast(
            conversation=self.conversation.pk,
            buyer=self.buyer.pk,
            seller=self.seller.pk,
            sellers_message=self.sellers_message,
            others_conversation=self.others_conversation.pk,
            business=self.business.pk,
        )


class Bystander:
    """A well-behaved client on another socket, following a topic and timing its events."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.sent = 0
        self.latencies: list[float] = []

    @classmethod
    async def start(cls, user: User) -> Bystander:
        client, connected, _ = await open_socket("/ws/", user=user)
        assert connected
        await client.send_frame({"type": "subscribe", "topic": BYSTANDER_TOPIC})
        assert (await client.frame())["type"] == "subscribed"
        return cls(client)

    async def publish(self) -> float:
        """Commit one event for the bystander; returns when it was committed."""
        self.sent += 1
        await database_sync_to_async(_tick)(self.sent)
        return time.monotonic()

    async def received(self, since: float) -> None:
        """The event published `since` has arrived, in order; its latency noted.

        Earlier ones (an example that failed before reading its own) come first.
        """
        n = 0
        while n < self.sent:
            frame = await self.client.frame(timeout=BYSTANDER_TIMEOUT)
            assert frame["type"] == "event" and frame["event"]["n"] > n, frame
            n = frame["event"]["n"]
        self.latencies.append(time.monotonic() - since)


def _tick(n: int) -> None:
    with transaction.atomic():
        publish(topic=BYSTANDER_TOPIC, event=TICK, n=n)
