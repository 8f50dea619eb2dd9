"""Background tasks that nobody awaits, kept alive until they finish."""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Coroutine
from typing import Any

logger = logging.getLogger(__name__)

# The event loop keeps only weak references to tasks: hold them here until done.
_running: set[asyncio.Task[Any]] = set()


def spawn(coroutine: Coroutine[Any, Any, Any], *, detach: bool = False) -> asyncio.Task[Any]:
    """Run a coroutine on the running loop in the background; its failure is logged.

    With `detach`, it runs in a context of its own rather than a copy of the
    caller's: work that outlives a socket must not use the socket's
    thread-sensitive executor (asgiref), which is gone once the socket is.
    """
    if detach:
        task = asyncio.get_running_loop().create_task(coroutine, context=contextvars.Context())
    else:
        task = asyncio.ensure_future(coroutine)
    _running.add(task)
    task.add_done_callback(_finished)
    return task


def _finished(task: asyncio.Task[Any]) -> None:
    _running.discard(task)
    if not task.cancelled() and task.exception() is not None:
        logger.error("background task failed", exc_info=task.exception())
