"""Per-socket sending that never blocks the fan-out and never buffers without bound."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from .background import spawn

logger = logging.getLogger(__name__)

Message = dict[str, Any]
RawSend = Callable[[Message], Awaitable[None]]


class Sender:
    """Sends one socket's frames in order without ever blocking the fan-out.

    An ASGI send completes at once while the socket's buffer has room, so the
    common path steps the coroutine by hand and creates no task. When the client
    stops reading, the send suspends; further frames wait in a backlog, and past
    `limit` the socket is declared too slow through `on_overflow`.
    """

    __slots__ = ("_backlog", "_raw_send", "closed", "limit", "on_overflow")

    def __init__(self, raw_send: RawSend, *, limit: int, on_overflow: Callable[[], None]):
        self._raw_send = raw_send
        self._backlog: deque[Message] | None = None
        self.limit = limit
        self.on_overflow = on_overflow
        self.closed = False

    def push(self, message: Message) -> None:
        """Send a message now if the socket can take it, else queue it behind the others."""
        if self.closed:
            return
        if self._backlog is not None:
            if len(self._backlog) >= self.limit:
                self.closed = True
                self._backlog.clear()
                self.on_overflow()
                return
            self._backlog.append(message)
            return
        coroutine = self._raw_send(message)
        try:
            waiting_on = coroutine.send(None)
        except StopIteration:
            return
        except Exception:  # the client went away; its consumer cleans up on disconnect
            self.closed = True
            return
        self._backlog = deque()
        spawn(self._finish(coroutine, waiting_on))

    async def _finish(self, coroutine: Any, waiting_on: Any) -> None:
        """Complete a suspended send, then drain the backlog in order."""
        try:
            await _resume(coroutine, waiting_on)
            while self._backlog and not self.closed:
                await self._raw_send(self._backlog.popleft())
        except Exception:  # closed meanwhile (too slow, or gone): nothing more to send
            logger.debug("send failed", exc_info=True)
            self.closed = True
        finally:
            self._backlog = None


async def _resume(coroutine: Any, waiting_on: Any) -> None:
    """Drive a coroutine that was started by hand to its end, as a task would."""
    while True:
        try:
            if waiting_on is None:  # a bare yield: just give the loop a turn
                await asyncio.sleep(0)
            else:
                # The hand-driven coroutine marked the future as awaited; a task clears
                # that mark before it waits, and so must we.
                waiting_on._asyncio_future_blocking = False
                await waiting_on
        except BaseException:  # the coroutine sees its own future's outcome below
            pass
        try:
            waiting_on = coroutine.send(None)
        except StopIteration:
            return
