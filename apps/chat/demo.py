"""Demo conversation for development: the demo buyer asks the demo seller about the laptop."""

from __future__ import annotations

from django.contrib.auth.models import User

from apps.listings.demo import demo_laptop

from .models import Conversation
from .services import conversation_mark, conversation_open, message_send

DEMO_BUYER = "buyer"
# (who, body): the first few lines of seed 003's own exchange.
DEMO_MESSAGES = [
    ("buyer", "Hello! Interested in the laptop. Is it still available?"),
    ("seller", "Yes, it's available!"),
    ("buyer", "Great. How long does the battery last?"),
    ("seller", "About 6 hours of normal use. Happy to show you."),
]


def seed_conversations() -> int:
    """Create the demo conversation when there is none; returns how many messages were sent."""
    if Conversation.objects.exists():
        return 0
    laptop = demo_laptop()
    people = {user.username: user for user in User.objects.filter(username__in=["buyer", "seller"])}
    conversation, _ = conversation_open(listing_id=laptop.pk, buyer=people[DEMO_BUYER])
    sent = [
        message_send(
            conversation_id=conversation.pk,
            sender=people[who],
            body=body,
            client_id=f"demo-{number}",
        )[0]
        for number, (who, body) in enumerate(DEMO_MESSAGES, start=1)
    ]
    # The seller has read it all; the buyer not the seller's last answer, so the demo
    # buyer's list shows an unread badge and the seller's last message "delivered".
    conversation_mark(
        conversation_id=conversation.pk, user_id=people["seller"].pk, up_to=sent[-1].pk, read=True
    )
    conversation_mark(
        conversation_id=conversation.pk, user_id=people["buyer"].pk, up_to=sent[-2].pk, read=True
    )
    conversation_mark(
        conversation_id=conversation.pk, user_id=people["buyer"].pk, up_to=sent[-1].pk, read=False
    )
    return len(sent)
