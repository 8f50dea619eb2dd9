"""A lean WebSocket client (RFC 6455) for sockets that mostly listen.

Thousands of sockets receiving every event cost the load generator far more than
the writers do, so this is a bare `asyncio.Protocol`: one handshake, then frames
parsed straight out of `data_received` with no task, queue or future per message.
It answers pings (both servers ping idle sockets) and close frames, and sends a
text frame when told to (the chat benchmark's messages). By default it offers no
extension, so frames arrive uncompressed from every server alike; with `deflate`
it offers permessage-deflate (RFC 7692) as every browser does, and inflates what
the server compressed.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import time
import zlib
from collections.abc import Mapping
from typing import Protocol, cast

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455, section 1.3
_MAX_HANDSHAKE = 16_384  # bytes of response headers we accept before giving up
_DEFLATE_OFFER = "permessage-deflate; client_max_window_bits"  # what Chromium sends
_DEFLATE_TAIL = b"\x00\x00\xff\xff"  # RFC 7692, 7.2.2: stripped by the sender, put back here

OP_CONTINUATION, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


class Sink(Protocol):
    """Where a subscriber hands each text message, with the time its bytes arrived."""

    def on_text(self, subscriber: Subscriber, payload: bytes, received_ns: int) -> None: ...


class HandshakeError(Exception):
    """The server did not switch protocols."""


def _accept_key(key: bytes) -> bytes:
    return base64.b64encode(hashlib.sha1(key + _GUID).digest())


def client_frame(opcode: int, payload: bytes) -> bytes:
    """A whole masked frame, as a client must send it (RFC 6455, 5.2)."""
    size = len(payload)
    if size < 126:
        header = bytes((0x80 | opcode, 0x80 | size))
    elif size < 1 << 16:
        header = bytes((0x80 | opcode, 0x80 | 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((0x80 | opcode, 0x80 | 127)) + size.to_bytes(8, "big")
    mask = os.urandom(4)
    # XOR as one big integer: no per-byte Python loop for a message-sized payload.
    repeated = (mask * (size // 4 + 1))[:size]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(
        size, "big"
    )
    return header + mask + masked


class Subscriber(asyncio.Protocol):
    """One listening socket: handshake, then text frames to the sink."""

    def __init__(
        self,
        *,
        host: str,
        path: str,
        origin: str,
        sink: Sink,
        deflate: bool = False,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        loop = asyncio.get_running_loop()
        self._key = base64.b64encode(os.urandom(16))
        offer = f"Sec-WebSocket-Extensions: {_DEFLATE_OFFER}\r\n" if deflate else ""
        extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        self._request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {self._key.decode()}\r\n"
            f"Sec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n{extra}{offer}\r\n"
        ).encode()
        self._sink = sink
        self._buffer = b""
        self._fragments: list[bytes] | None = None
        self._fragments_compressed = False
        self._inflater: zlib._Decompress | None = None  # set when the server accepts deflate
        self._fresh_inflater_each_message = False
        self.compressed = False  # the server agreed to permessage-deflate
        self._upgraded = False
        self.transport: asyncio.Transport | None = None
        self.opened: asyncio.Future[None] = loop.create_future()
        self.closed: asyncio.Future[None] = loop.create_future()
        self.close_code: int | None = None
        self.received = 0  # messages counted by the sink
        self.warm = False  # the sink saw a warm-up message on this socket

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        transport.write(self._request)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(exc or ConnectionError("closed during handshake"))
        if not self.closed.done():
            self.closed.set_result(None)

    def data_received(self, data: bytes) -> None:
        received_ns = time.time_ns()  # every frame in this chunk arrived together
        if self._buffer:
            data = self._buffer + data
            self._buffer = b""
        if not self._upgraded:
            data = self._handshake(data)
            if not self._upgraded:
                return
        self._frames(data, received_ns)

    def send_text(self, payload: bytes) -> None:
        """Send one text message (UTF-8 bytes), unless the socket is closing."""
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(client_frame(OP_TEXT, payload))

    def close(self, code: int = 1000) -> None:
        """Start the closing handshake (or just drop the connection if it never opened)."""
        if self.transport is None or self.transport.is_closing():
            return
        if self._upgraded:
            self.transport.write(client_frame(OP_CLOSE, code.to_bytes(2, "big")))
        else:
            self.transport.close()

    def abort(self) -> None:
        """Drop the connection without a closing handshake."""
        if self.transport is not None:
            self.transport.abort()

    def _handshake(self, data: bytes) -> bytes:
        end = data.find(b"\r\n\r\n")
        if end < 0:
            if len(data) > _MAX_HANDSHAKE:
                self._fail(HandshakeError("handshake response too long"))
            else:
                self._buffer = data
            return b""
        status, *lines = data[:end].decode("latin-1").split("\r\n")
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines)
        }
        if not status.startswith("HTTP/1.1 101"):
            self._fail(HandshakeError(status))
        elif headers.get("sec-websocket-accept", "").encode() != _accept_key(self._key):
            self._fail(HandshakeError("wrong Sec-WebSocket-Accept"))
        else:
            self._negotiated(headers.get("sec-websocket-extensions", ""))
            self._upgraded = True
            self.opened.set_result(None)
        return data[end + 4 :]

    def _negotiated(self, extensions: str) -> None:
        if "permessage-deflate" in extensions:
            self.compressed = True
            self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            self._fresh_inflater_each_message = "server_no_context_takeover" in extensions

    def _inflate(self, payload: bytes) -> bytes:
        assert self._inflater is not None
        text = self._inflater.decompress(payload + _DEFLATE_TAIL)
        if self._fresh_inflater_each_message:
            self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        return text

    def _fail(self, error: Exception) -> None:
        if not self.opened.done():
            self.opened.set_exception(error)
        if self.transport is not None:
            self.transport.close()

    def _frames(self, data: bytes, received_ns: int) -> None:
        size = len(data)
        pos = 0
        while size - pos >= 2:
            first, second = data[pos], data[pos + 1]
            length = second & 0x7F
            start = pos + 2
            if length >= 126:
                extra = 2 if length == 126 else 8
                if size - start < extra:
                    break
                length = int.from_bytes(data[start : start + extra], "big")
                start += extra
            if second & 0x80:  # servers never mask; RFC 6455 says to fail the connection
                self._fail(HandshakeError("masked frame from server"))
                return
            end = start + length
            if end > size:
                break
            self._frame(first, data[start:end], received_ns)
            pos = end
        if pos < size:
            self._buffer = data[pos:]

    def _frame(self, first: int, payload: bytes, received_ns: int) -> None:
        fin, compressed, opcode = first & 0x80, first & 0x40, first & 0x0F
        if opcode == OP_TEXT and fin:
            self._sink.on_text(self, self._inflate(payload) if compressed else payload, received_ns)
        elif opcode in (OP_TEXT, OP_BINARY, OP_CONTINUATION):
            self._fragment(fin, compressed, opcode, payload, received_ns)
        elif opcode == OP_PING:
            assert self.transport is not None
            self.transport.write(client_frame(OP_PONG, payload))
        elif opcode == OP_CLOSE:
            self.close_code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
            assert self.transport is not None
            if not self.transport.is_closing():
                self.transport.write(client_frame(OP_CLOSE, payload[:2]))
                self.transport.close()

    def _fragment(
        self, fin: int, compressed: int, opcode: int, payload: bytes, received_ns: int
    ) -> None:
        if opcode != OP_CONTINUATION:  # RSV1 marks the first frame of a compressed message
            self._fragments = [payload] if opcode == OP_TEXT else None
            self._fragments_compressed = bool(compressed)
        elif self._fragments is not None:
            self._fragments.append(payload)
        if fin and self._fragments is not None:
            message, self._fragments = b"".join(self._fragments), None
            if self._fragments_compressed:
                message = self._inflate(message)
            self._sink.on_text(self, message, received_ns)


async def open_subscriber(
    *,
    host: str,
    port: int,
    path: str,
    origin: str,
    sink: Sink,
    within: float,
    deflate: bool,
    headers: Mapping[str, str] | None = None,
) -> Subscriber:
    """Connect and complete the handshake within `within` seconds (with `headers` added)."""
    loop = asyncio.get_running_loop()
    authority = f"{host}:{port}"
    # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow an outside cancel (Ctrl-C).
    async with asyncio.timeout(within):
        _, subscriber = await loop.create_connection(
            lambda: Subscriber(
                host=authority,
                path=path,
                origin=origin,
                sink=sink,
                deflate=deflate,
                headers=headers,
            ),
            host,
            port,
        )
    try:
        async with asyncio.timeout(within):
            await subscriber.opened
    except BaseException:
        subscriber.abort()
        raise
    return subscriber
