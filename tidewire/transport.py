"""Pre-encoded frames written straight to uvicorn's transport: one encoding for every socket.

A WebSocket frame from a server is the same bytes for every client (no mask),
so a process can encode each event's frame once and hand those bytes to every
socket's transport. That is only possible below ASGI: the socket router keeps
the server's own `send` in the scope (tidewire/application.py), and `Wire.of`
finds uvicorn's sans-I/O protocol behind it. Any other server, or a socket that
negotiated compression (each socket's deflate stream differs), goes through ASGI
`send` as usual.
"""

from __future__ import annotations

import logging
from typing import Any

from websockets.frames import Frame, Opcode

try:
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
except ImportError:  # pragma: no cover - uvicorn is a dependency, but keep the core usable
    WebSocketsSansIOProtocol = None

SERVER_SEND = "tidewire.server_send"

logger = logging.getLogger(__name__)
_path_noted = False


def encode_text_frame(payload: bytes) -> bytes:
    """A complete, unmasked, uncompressed text frame: what a server sends."""
    return Frame(Opcode.TEXT, payload).serialize(mask=False, extensions=[])


class Wire:
    """One socket's connection as uvicorn holds it, for writing pre-encoded frames."""

    __slots__ = ("_protocol", "_transport")

    def __init__(self, protocol: Any) -> None:
        self._protocol = protocol
        self._transport = protocol.transport

    @classmethod
    def of(cls, scope: dict[str, Any]) -> Wire | None:
        """The wire under an accepted socket, or None when frames must go through ASGI."""
        protocol = getattr(scope.get(SERVER_SEND), "__self__", None)
        if WebSocketsSansIOProtocol is None or not isinstance(protocol, WebSocketsSansIOProtocol):
            return None
        if not protocol.handshake_complete or protocol.conn.extensions:
            return None  # not accepted yet, or compressed per socket
        return cls(protocol)

    @property
    def open(self) -> bool:
        """Whether data frames may still be written (no close sent, transport alive)."""
        return not self._protocol.close_sent and not self._transport.is_closing()

    @property
    def buffered(self) -> int:
        """Bytes written but not yet taken by the kernel: what a slow client leaves behind."""
        return self._transport.get_write_buffer_size()

    def write(self, data: bytes) -> None:
        self._transport.write(data)


def note_path(wire: Wire | None, scope: dict[str, Any]) -> None:
    """Log once per process which way frames go: the fast path, or (a warning) ASGI send.

    Falling back costs every frame an encoding and a send per socket: a server not
    started through tidewire.serve (another WebSocket protocol, compression on)
    would lose the fan-out's speed without any test failing, so it is said out loud.
    """
    global _path_noted
    if _path_noted:
        return
    _path_noted = True
    if wire is not None:
        logger.info("WebSocket frames are written straight to the server's transport")
        return
    protocol = getattr(scope.get(SERVER_SEND), "__self__", None)
    logger.warning(
        "WebSocket frames go through ASGI send, not straight to the transport (protocol %s): "
        "serve with python -m tidewire.serve (uvicorn's sans-I/O protocol, no per-message "
        "deflate) for the fast path",
        type(protocol).__name__,
    )
