"""Seed 004's sockets: `/ws/dashboard/` (super admins) and `/ws/business/<id>/` (its owner and
super admins). Frames are the event bodies as stored, in the seed's envelope; `{"type":
"ping"}` is answered `{"type": "pong"}` by the core. Without (valid) credentials: closed 4401;
refused by the topic's rule: closed 4403 (docs/protocol.md)."""

from __future__ import annotations

from tidewire.consumers import FixedTopicConsumer

from .topics import DASHBOARD_TOPIC, business_topic


class DashboardConsumer(FixedTopicConsumer):
    """Every business and reservation change, for super admins."""

    topic = DASHBOARD_TOPIC


class BusinessConsumer(FixedTopicConsumer):
    """One business's reservations and its own changes, for its owner and super admins."""

    def get_topic(self) -> str:
        return business_topic(self.scope["url_route"]["kwargs"]["business_id"])
