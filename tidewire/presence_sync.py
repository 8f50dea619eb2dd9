"""Presence between processes: the hub's side of tidewire/presence.py.

Messages go through each topic's channel-layer group, like its events:
`tidewire.presence_diff` (a user's first socket here joined or last one left),
`tidewire.presence_state` (this process's whole state for a topic: every
`PRESENCE_REFRESH` seconds, and in answer to `tidewire.presence_sync`, which a
process sends when it starts keeping a topic). Local followers get frames:

    {"type": "presence_state", "topic": t, "presences": {"<user id>": {"name", "since"}}}
    {"type": "presence_diff", "topic": t, "joins": {...}, "leaves": {...}}
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import orjson
from channels.layers import get_channel_layer

from .background import spawn
from .conf import tidewire_setting
from .presence import Change, Meta, PresenceTable
from .topics import group_name

if TYPE_CHECKING:
    from .fanout import Hub

logger = logging.getLogger(__name__)


def state_frame(topic: str, presences: dict[str, Meta]) -> str:
    return orjson.dumps({"type": "presence_state", "topic": topic, "presences": presences}).decode()


class PresenceSync:
    """Keeps this process's presence table and tells the other processes what changes."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.table = PresenceTable()
        self._since_refresh = 0.0

    def topics(self) -> list[str]:
        return self.table.topics()

    def forget(self, topic: str) -> None:
        self.table.forget(topic)

    async def track(self, topic: str, user: str, meta: Meta, *, key: Any) -> dict[str, Meta]:
        """A local socket (`key`) of `user` follows the topic; returns the topic's presence now.

        The other followers are told of the join; the socket itself gets the state.
        """
        if topic not in self.table.topics():
            self.table.follow(topic)
            await self._send(topic, "tidewire.presence_sync", reply_to=self.hub.channel)
        change = self.table.join(topic, user, meta)
        self._push(topic, change, exclude=key)
        if change[0]:
            await self._send(topic, "tidewire.presence_diff", joins=change[0], leaves=[])
        return self.table.state(topic)

    def is_present(self, topic: str, user: str) -> bool:
        """Whether any socket of `user`, in any process this one has heard of, follows the topic."""
        return user in self.table.state(topic)

    def untrack(self, topic: str, user: str) -> None:
        """A local socket of `user` stopped following the topic (synchronous: any leave path)."""
        change = self.table.leave(topic, user)
        self._push(topic, change)
        if change[1] or user not in self.table.local_state(topic):
            spawn(self._send(topic, "tidewire.presence_diff", joins={}, leaves=[user]))

    def receive(self, message: dict[str, Any]) -> None:
        """A presence message from the layer (ours come back too and are skipped)."""
        topic, process = message["topic"], message["process"]
        if process == self.hub.channel or topic not in self.table.topics():
            return
        now = time.monotonic()
        kind = message["type"]
        if kind == "tidewire.presence_diff":
            change = self.table.apply_diff(topic, process, message["joins"], message["leaves"], now)
        elif kind == "tidewire.presence_state":
            change = self.table.apply_state(topic, process, message["entries"], now)
        elif kind == "tidewire.presence_sync":
            if self.table.local_state(topic):
                spawn(self._reply_state(topic, message["reply_to"]))
            return
        else:
            return
        self._push(topic, change)

    async def tick(self) -> None:
        """Called every resync interval: expire silent processes, re-announce now and then."""
        now = time.monotonic()
        for topic, change in self.table.expire(now, tidewire_setting("PRESENCE_TIMEOUT")).items():
            self._push(topic, change)
        self._since_refresh += tidewire_setting("RESYNC_INTERVAL")
        if self._since_refresh < tidewire_setting("PRESENCE_REFRESH"):
            return
        self._since_refresh = 0.0
        for topic in self.table.topics():
            entries = self.table.local_state(topic)
            if entries:
                await self._send(topic, "tidewire.presence_state", entries=entries)

    def _push(self, topic: str, change: Change, *, exclude: Any = None) -> None:
        joins, leaves = change
        if joins or leaves:
            frame = {"type": "presence_diff", "topic": topic, "joins": joins, "leaves": leaves}
            self.hub.send_text(topic, orjson.dumps(frame).decode(), exclude=exclude)

    async def _send(self, topic: str, kind: str, **fields: Any) -> None:
        message = {"type": kind, "topic": topic, "process": self.hub.channel, **fields}
        try:
            await get_channel_layer().group_send(group_name(topic), message)
        except Exception:  # the next refresh tells the others again
            logger.warning("presence message for %s not sent", topic, exc_info=True)

    async def _reply_state(self, topic: str, channel: str) -> None:
        message = {
            "type": "tidewire.presence_state",
            "topic": topic,
            "process": self.hub.channel,
            "entries": self.table.local_state(topic),
        }
        try:
            await get_channel_layer().send(channel, message)
        except Exception:
            logger.warning("presence state for %s not sent", topic, exc_info=True)
