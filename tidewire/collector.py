"""Garbage collection that does not stall deliveries: long-lived objects are frozen.

A full (generation 2) collection in CPython scans every live object that is not
frozen, and stops the whole process meanwhile: with 1,000 sockets open that was
~100 ms every few seconds under steady writes, and the p99 of edit-to-screen
latency was those pauses (measured: docs/benchmark.md). A server's live objects
are mostly long-lived (Django's, and each open socket's), so what survives a
full collection is frozen (`gc.freeze`): later collections scan only what is
new since. Objects frozen while alive and dropped later (a closed socket's
reference cycles) are reclaimed by a complete collection every
`TIDEWIRE["GC_THAW_INTERVAL"]` seconds, the one pause left, at a known rate.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from typing import Any

logger = logging.getLogger(__name__)


def _freeze_survivors(phase: str, info: dict[str, Any]) -> None:
    # Called by CPython around every collection; after a full one, what is left
    # is long-lived.
    if phase == "stop" and info["generation"] == 2:
        gc.freeze()


async def collect_long_lived_apart(thaw_interval: float) -> None:
    """Run until cancelled: freeze the survivors of full collections, thaw them now and then."""
    gc.collect()
    gc.freeze()  # Django, the URL conf, the templates: alive as long as the process
    gc.callbacks.append(_freeze_survivors)
    try:
        while True:
            await asyncio.sleep(thaw_interval)
            started = time.perf_counter()
            gc.unfreeze()
            found = gc.collect()  # frozen again by the callback when it ends
            logger.info(
                "complete garbage collection: %d unreachable, %.0f ms",
                found,
                1000 * (time.perf_counter() - started),
            )
    finally:
        gc.callbacks.remove(_freeze_survivors)
        gc.unfreeze()
