"""uvicorn's sans-I/O WebSocket protocol, holding less for each open socket.

Ten thousand idle sockets are mostly the server's own state. Measured with
tracemalloc per open socket, uvicorn's protocol kept: the handshake's request and
response (headers parsed into several dicts and lists, ~3.5 KB) for the socket's
whole life, though nothing reads them after the handshake; an `asyncio.Queue` for
incoming messages (three deques, ~2.3 KB, for a queue that usually holds one
message: uvicorn stops reading while one waits); and an `asyncio.Event` gating
sends (one more deque). `python -m config.serve` runs this subclass instead:
same protocol, same behaviour, those three made lean; and a text frame that is
not UTF-8 is logged in one line, not as an error with a traceback.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

logger = logging.getLogger(__name__)
# RFC 6455 7.4.1: "data within a message that was not consistent with the type of the message".
INVALID_PAYLOAD = 1007
NOT_UTF8 = "closing a socket from %s: a text frame is not UTF-8 (%s)"


class Inbox:
    """What uvicorn asks of its incoming-message queue, for the one reader an ASGI app is.

    A list read from a moving head, emptied whenever it is drained: usually one
    message waits (uvicorn stops reading while one does), but a single TCP read
    can bring thousands of small frames, and they must come out in O(1) each.
    """

    __slots__ = ("_head", "_items", "_waiter")

    def __init__(self) -> None:
        self._items: list[Any] = []
        self._head = 0
        self._waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: Any) -> None:
        self._items.append(item)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def get(self) -> Any:
        while self.empty():
            if self._waiter is not None:
                raise RuntimeError("receive() is already being awaited on this socket")
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        item = self._items[self._head]
        self._head += 1
        if self._head == len(self._items):
            self._items.clear()
            self._head = 0
        return item

    def empty(self) -> bool:
        return self._head == len(self._items)


class Gate:
    """An `asyncio.Event` for the writable flag: no waiter list until a send has to wait."""

    __slots__ = ("_open", "_waiters")

    def __init__(self) -> None:
        self._open = True
        self._waiters: list[asyncio.Future[None]] | None = None

    def is_set(self) -> bool:
        return self._open

    def set(self) -> None:
        self._open = True
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self._open = False

    async def wait(self) -> bool:
        if self._open:
            return True
        waiter = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        try:
            await waiter
        finally:
            if self._waiters is not None and waiter in self._waiters:
                self._waiters.remove(waiter)  # cancelled: drop it, as asyncio.Event does
        return True


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's sans-I/O protocol with a lean inbox and send gate, and no handshake kept."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = Inbox()  # type: ignore[assignment]
        self.writable = Gate()  # type: ignore[assignment]

    async def send(self, message: Any) -> None:
        await super().send(message)
        if self.handshake_complete and getattr(self, "response", None) is not None:
            # Only the handshake reads these; they would otherwise live as long as the socket.
            self.request = self.response = None  # type: ignore[assignment]

    def send_receive_event_to_app(self) -> None:
        """Hand a whole message to the application; close 1007 a text one that is not UTF-8.

        uvicorn closes such a socket with 1007 too, but logs each at ERROR with a
        traceback: any client could fill the error log (and page whoever watches it)
        by sending one bad byte per connection. Decoding here first costs a second
        decode of each incoming text message: clients send small frames, rarely.
        """
        if self.curr_msg_data_type == "text" and not self.close_sent:
            try:
                b"".join(self.frames).decode()
            except UnicodeDecodeError as error:
                self.frames = []
                address = "{}:{}".format(*self.client) if self.client else "unknown"
                # error.reason: "invalid start byte", "unexpected end of data", ...
                logger.info(NOT_UTF8, address, error.reason)
                self.conn.send_close(INVALID_PAYLOAD)
                self.handle_parser_exception()
                return
        super().send_receive_event_to_app()
