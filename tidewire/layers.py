"""The two channel layers Tidewire runs on, each able to send a commit's events at once.

A commit publishes several events (a chat message: the room's event, both inbox
rows, the notification); sending them one `group_send` at a time cost a Redis
round trip each, under the layer's lock, on the event loop. `group_send_many`
sends them in one go:

- `PubSubLayer` (with REDIS_URL): channels_redis' `RedisPubSubChannelLayer`,
  whose `group_send_many` pipelines the PUBLISHes, one round trip per shard.
- `LocalLayer` (embedded): channels' `InMemoryChannelLayer`, which swept every
  group and channel for expired entries on *every* send and receive (a tenth of
  the embedded server's CPU under chat load); here the sweep runs at most once a
  second. Its group memberships never expire: the hub leaves its groups itself,
  and the in-memory layer's one-day expiry silently dropped a long-running
  server's followers from their topics.
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

from channels.layers import InMemoryChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer

# How often the in-process layer drops expired messages (they expire after 60 s).
SWEEP_INTERVAL = 1.0
# The in-process layer's group memberships: kept until the hub discards them (100 years).
NEVER = 100 * 365 * 24 * 3600


class LocalLayer(InMemoryChannelLayer):
    """The in-process layer, swept once a second instead of on every call."""

    def __init__(self, expiry: int = 60, group_expiry: int = NEVER, **kwargs: Any) -> None:
        super().__init__(expiry=expiry, group_expiry=group_expiry, **kwargs)
        self._swept_at = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._swept_at < SWEEP_INTERVAL:
            return
        self._swept_at = now
        super()._clean_expired()

    async def group_send_many(self, messages: list[tuple[str, dict[str, Any]]]) -> None:
        """`group_send` of each (group, message), in order."""
        for group, message in messages:
            await self.group_send(group, message)


class PubSubLayer(RedisPubSubChannelLayer):
    """Redis pub/sub, with the events of one commit published in one round trip."""

    async def group_send_many(self, messages: list[tuple[str, dict[str, Any]]]) -> None:
        """`group_send` of each (group, message), in order, pipelined per shard.

        Uses the shard's own connection and lock (channels_redis 4.x internals,
        pinned in the lock file; tidewire/tests/test_layers.py runs it on Redis).
        """
        layer = self._get_layer()
        by_shard: dict[Any, list[tuple[str, bytes]]] = defaultdict(list)
        for group, message in messages:
            channel = layer._get_group_channel_name(group)
            by_shard[layer._get_shard(channel)].append((channel, self.serialize(message)))
        for shard, published in by_shard.items():
            async with shard._lock:
                shard._ensure_redis()
                pipeline = shard._redis.pipeline(transaction=False)
                for channel, payload in published:
                    pipeline.publish(channel, payload)
                await pipeline.execute()
