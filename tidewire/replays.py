"""How often a user may ask for a replay from the store: a resume is cheap, a flood is not.

Counted in the shared cache (Redis when configured, so across processes) as the
REST throttles count requests (tidewire/throttles.py): one number per user, the
generic cell rate algorithm's next allowed time.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache

from .conf import tidewire_setting

_PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600}


def parse_rate(rate: str) -> tuple[int, float]:
    """'30/min' -> (30, 60.0)."""
    count, _, period = rate.partition("/")
    return int(count), float(_PERIODS[period])


async def replay_allowed(user: Any) -> bool:
    """Whether the user may have one more replay now (and count it if so)."""
    count, period = parse_rate(tidewire_setting("REPLAY_RATE"))
    key = f"tidewire_replay_{user.pk}"
    now = time.time()
    interval = period / count
    stored = await cache.aget(key)
    arrival = max(stored, now) if isinstance(stored, float) else now
    after = arrival + interval
    if after - now > period:
        return False
    await cache.aset(key, after, int(period) + 1)
    return True
