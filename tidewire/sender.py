"""Per-socket sending that never blocks the fan-out and never buffers without bound."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from .background import spawn
from .outbound import Outbound
from .transport import Wire, encode_text_frame

logger = logging.getLogger(__name__)

Message = dict[str, Any]
RawSend = Callable[[Message], Awaitable[None]]


def _gone() -> None:
    """What a released sender calls instead of its socket's overflow handler: nothing."""


class Sender:
    """Sends one socket's frames in order without ever blocking the fan-out.

    Under uvicorn (`Wire`) each frame is bytes encoded once per process and
    written to the socket's transport. Otherwise frames go through ASGI `send`:
    it completes at once while the socket has room, so the common path steps
    the coroutine by hand and creates no task; when the client stops reading
    the send suspends and later frames wait in a backlog.

    Either way, once more than `limit` bytes wait for a client it is declared
    too slow through `on_overflow`, and nothing more is sent.
    """

    __slots__ = (
        "_backlog",
        "_backlog_bytes",
        "_raw_send",
        "closed",
        "limit",
        "on_overflow",
        "wire",
    )

    def __init__(self, raw_send: RawSend, *, limit: int, on_overflow: Callable[[], None]):
        self._raw_send = raw_send
        self._backlog: deque[Message] | None = None
        self._backlog_bytes = 0
        self.limit = limit
        self.on_overflow = on_overflow
        self.closed = False
        self.wire: Wire | None = None

    def release(self) -> None:
        """The socket is gone: send nothing more, and let go of what refers back to it.

        `on_overflow` is the socket's bound method: kept, the closed socket and its
        sender form a reference cycle that only a complete garbage collection frees,
        and tidewire.collector runs one an hour (each closed socket's objects waited
        there: +20 MiB an hour in the soak, docs/reliability.md).
        """
        self.closed = True
        self._backlog = None
        self._backlog_bytes = 0
        self.on_overflow = _gone

    def use_wire(self, wire: Wire | None) -> None:
        """Write pre-encoded frames from now on (call right after the handshake)."""
        if self._backlog is None:
            self.wire = wire

    def send_text(self, text: str) -> None:
        """Send one JSON text frame (acks, errors) behind everything already sent."""
        if self.wire is not None:
            self._write(encode_text_frame(text.encode()))
        else:
            self._push({"type": "websocket.send", "text": text}, len(text))

    def send_outbound(self, outbound: Outbound, *, seed_format: bool) -> None:
        """Send an event or signal, using the bytes this process encoded once for all sockets."""
        if self.wire is not None:
            self._write(outbound.frame_bytes(seed_format=seed_format))
        else:
            text = outbound.text(seed_format=seed_format)
            self._push({"type": "websocket.send", "text": text}, len(text))

    def _too_slow(self) -> None:
        self.closed = True
        if self._backlog is not None:
            self._backlog.clear()
        self.on_overflow()

    def _write(self, data: bytes) -> None:
        if self.closed:
            return
        wire = self.wire
        if not wire.open:
            self.closed = True
        elif wire.buffered > self.limit:
            self._too_slow()
        else:
            wire.write(data)

    def _push(self, message: Message, size: int) -> None:
        if self.closed:
            return
        if self._backlog is not None:
            if self._backlog_bytes + size > self.limit:
                self._too_slow()
                return
            self._backlog.append(message)
            self._backlog_bytes += size
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
        self._backlog_bytes = 0
        spawn(self._finish(coroutine, waiting_on))

    async def _finish(self, coroutine: Any, waiting_on: Any) -> None:
        """Complete a suspended send, then drain the backlog in order."""
        try:
            await _resume(coroutine, waiting_on)
            while self._backlog and not self.closed:
                message = self._backlog.popleft()
                self._backlog_bytes -= len(message["text"])
                await self._raw_send(message)
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
