"""Assertions on the events a service stored (what every socket will receive)."""

from __future__ import annotations

from typing import Any

import orjson

from tidewire.events import declared
from tidewire.models import Event


def events_after(topic: str, offset: int = 0) -> list[dict[str, Any]]:
    """Bodies of the topic's stored events after `offset`, each checked against its declaration."""
    bodies = []
    for event in Event.objects.filter(topic=topic, offset__gt=offset).order_by("offset"):
        body = orjson.loads(event.body)
        declared()[event.type].check(body)
        bodies.append(body)
    return bodies
