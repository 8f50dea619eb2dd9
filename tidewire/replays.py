"""How often a user may ask for a replay from the store: a resume is cheap, a flood is not.

Counted in the shared cache (Redis when configured, so across processes) with
the REST throttles' arithmetic (tidewire/throttles.py): one number per user.
"""

from __future__ import annotations

from typing import Any

from .conf import tidewire_setting
from .sync_threads import on_sync_thread
from .throttles import take


async def replay_allowed(user: Any) -> bool:
    """Whether the user may have one more replay now (and count it if so)."""
    key, rate = f"tidewire_replay_{user.pk}", tidewire_setting("REPLAY_RATE")
    allowed, _wait = await on_sync_thread(take, key, rate)
    return allowed
