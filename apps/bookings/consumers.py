"""Seed 004's sockets: `/ws/dashboard/` (super admins) and `/ws/business/<id>/` (its owner and
super admins). Frames are the event bodies as stored, in the seed's envelope; `{"type":
"ping"}` is answered `{"type": "pong"}` by the core. Without (valid) credentials: closed 4401;
refused by the topic's rule: closed 4403 (docs/protocol.md)."""

from __future__ import annotations

from tidewire.consumers import FixedTopicConsumer

from .events import RESERVATION_CREATED, RESERVATION_DELETED, RESERVATION_UPDATED
from .topics import DASHBOARD_TOPIC, business_topic


class DashboardConsumer(FixedTopicConsumer):
    """Every business and reservation change, for super admins."""

    topic = DASHBOARD_TOPIC


class BusinessConsumer(FixedTopicConsumer):
    """One business's reservations, for its owner and super admins.

    The BRIEF names `reservation_created|_updated|_deleted` for this endpoint: the
    business's own changes, also on its topic (the `/business/` page follows them
    on `/ws/`), are not sent here.
    """

    event_types = frozenset(
        e.name for e in (RESERVATION_CREATED, RESERVATION_UPDATED, RESERVATION_DELETED)
    )

    def get_topic(self) -> str:
        return business_topic(self.scope["url_route"]["kwargs"]["business_id"])
