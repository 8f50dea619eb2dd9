"""Open sockets counted per user and per client address: in this process, or in Redis.

With `TIDEWIRE["REDIS_URL"]` the counts are shared by every process: a hash per
user and per address holds each process's count, and a sorted set holds when
each process last said it was alive. A check-and-take is one Lua script (atomic
in Redis); a process that dies stops sending heartbeats, and its counts stop
counting after `PRESENCE_TIMEOUT` seconds, so a crash does not lock users out.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid

from .background import spawn
from .conf import tidewire_setting

logger = logging.getLogger(__name__)

PROCESSES_KEY = "tw:processes"
# Well inside PRESENCE_TIMEOUT (60 s), so a live process never looks dead.
HEARTBEAT_INTERVAL = 15.0
# How long a count hash lives after its last change: far longer than any socket
# needs, short enough that abandoned keys do not pile up.
COUNT_KEY_TTL = 7 * 24 * 3600

# KEYS: user hash, address hash, processes zset.
# ARGV: process, user cap, address cap, liveness timeout (s), key TTL (s).
_TAKE = """
local now = tonumber(redis.call('TIME')[1])
redis.call('ZADD', KEYS[3], now, ARGV[1])
local function live_total(key)
  local total = 0
  local fields = redis.call('HGETALL', key)
  for i = 1, #fields, 2 do
    local seen = redis.call('ZSCORE', KEYS[3], fields[i])
    if seen and now - tonumber(seen) <= tonumber(ARGV[4]) then
      total = total + tonumber(fields[i + 1])
    else
      redis.call('HDEL', key, fields[i])
    end
  end
  return total
end
if live_total(KEYS[1]) >= tonumber(ARGV[2]) then return 1 end
if live_total(KEYS[2]) >= tonumber(ARGV[3]) then return 2 end
for i = 1, 2 do
  redis.call('HINCRBY', KEYS[i], ARGV[1], 1)
  redis.call('EXPIRE', KEYS[i], ARGV[5])
end
return 0
"""

_GIVE_BACK = """
for i = 1, 2 do
  if redis.call('HINCRBY', KEYS[i], ARGV[1], -1) <= 0 then redis.call('HDEL', KEYS[i], ARGV[1]) end
end
"""

_HEARTBEAT = "redis.call('ZADD', KEYS[1], tonumber(redis.call('TIME')[1]), ARGV[1])"

REFUSALS = {1: "too many open sockets for this user", 2: "too many open sockets from this address"}


class SocketCounts:
    """Open sockets by user and address; a new one is refused past a cap."""

    def __init__(self) -> None:
        self.process = uuid.uuid4().hex
        self._users: dict[str, int] = {}
        self._addresses: dict[str, int] = {}
        self._redis = None
        self._redis_for: tuple[str, asyncio.AbstractEventLoop] | None = None
        self._last_heartbeat = 0.0

    def _client(self):
        """An asyncio Redis client for this event loop (its connections belong to one loop)."""
        url = tidewire_setting("REDIS_URL")
        if not url:
            return None
        key = (url, asyncio.get_running_loop())
        if self._redis is None or self._redis_for != key:
            import redis.asyncio

            self._redis = redis.asyncio.Redis.from_url(url)
            self._redis_for = key
        return self._redis

    async def take(self, *, user: str, address: str, user_cap: int, address_cap: int) -> str | None:
        """Count one more socket, or return why it is refused."""
        client = self._client()
        if client is not None:
            try:
                verdict = await client.eval(
                    _TAKE, 3, f"tw:sockets:user:{user}", f"tw:sockets:addr:{address}",
                    PROCESSES_KEY, self.process, user_cap, address_cap,
                    tidewire_setting("PRESENCE_TIMEOUT"), COUNT_KEY_TTL,
                )  # fmt: skip
            except Exception:
                # Redis down: count here rather than refuse everyone or admit everyone.
                logger.warning("socket counts in Redis failed; counting locally", exc_info=True)
            else:
                if verdict:
                    return REFUSALS[int(verdict)]
                self._count(user, address, +1)
                return None
        if self._users.get(user, 0) >= user_cap:
            return REFUSALS[1]
        if self._addresses.get(address, 0) >= address_cap:
            return REFUSALS[2]
        self._count(user, address, +1)
        return None

    def give_back(self, *, user: str, address: str) -> None:
        """A counted socket closed (synchronous; Redis is told in the background)."""
        self._count(user, address, -1)
        client = self._client()
        if client is not None:
            spawn(self._give_back_shared(client, user, address))

    async def _give_back_shared(self, client, user: str, address: str) -> None:
        try:
            await client.eval(
                _GIVE_BACK, 2, f"tw:sockets:user:{user}", f"tw:sockets:addr:{address}",
                self.process,
            )  # fmt: skip
        except Exception:  # the count stops counting with this process's heartbeat
            logger.warning("socket count not given back in Redis", exc_info=True)

    async def heartbeat(self) -> None:
        """Tell Redis this process is alive, so its counts keep counting."""
        now = time.monotonic()
        if now - self._last_heartbeat < HEARTBEAT_INTERVAL or not self._users:
            return
        client = self._client()
        if client is not None:
            self._last_heartbeat = now
            await client.eval(_HEARTBEAT, 1, PROCESSES_KEY, self.process)

    def _count(self, user: str, address: str, step: int) -> None:
        for table, key in ((self._users, user), (self._addresses, address)):
            value = table.get(key, 0) + step
            if value > 0:
                table[key] = value
            else:
                table.pop(key, None)
