"""How often a user may ask for a replay from the store: a resume is cheap, a flood is not.

Counted in the shared cache (Redis when configured, so across processes) with
the REST throttles' arithmetic (tidewire/throttles.py): one number per user.
"""

from __future__ import annotations

import math
import time
from typing import Any

from django.core.cache import cache

from .conf import tidewire_setting
from .throttles import next_arrival, parse_rate


async def replay_allowed(user: Any) -> bool:
    """Whether the user may have one more replay now (and count it if so)."""
    count, period = parse_rate(tidewire_setting("REPLAY_RATE"))
    key = f"tidewire_replay_{user.pk}"
    now = time.time()
    after, _wait = next_arrival(await cache.aget(key), now, count=count, period=period)
    if after is None:
        return False
    await cache.aset(key, after, math.ceil(after - now))
    return True
