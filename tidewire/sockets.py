"""The socket base: who may stay connected, how fast they may talk, and how frames go out.

Every Tidewire WebSocket consumer derives from `SocketConsumer`. Close codes are
in tidewire/close_codes.py and docs/protocol.md.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import orjson
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from . import close_codes
from .auth import authenticate
from .background import spawn
from .origins import origin_allowed
from .rate_limits import FrameLimiter
from .sender import Sender
from .transport import Wire

_AUTH_REFUSALS = {
    "missing": "authentication required",
    "invalid": "invalid token",
    "expired": "token expired",
}

logger = logging.getLogger(__name__)


class SocketConsumer(AsyncWebsocketConsumer):
    """A JSON socket whose every outgoing frame goes through one ordered `Sender`."""

    async def __call__(self, scope, receive, send) -> None:
        """Run the socket: one receive loop, no channel-layer channel of its own.

        Events reach sockets through the hub, so unlike Channels' consumer this
        one neither creates a layer channel nor waits on two sources with a new
        task per frame: less memory per idle socket, less work per frame.
        """
        self.scope = scope
        self.channel_layer = None
        self.base_send = send
        try:
            while True:
                await self.dispatch(await receive())
        except StopConsumer:
            pass

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Route an ASGI message to its handler (no per-frame DB-connection sweep).

        Channels closes stale database connections before every frame; here the ORM
        is only reached through database_sync_to_async, which does that itself.
        """
        handler = getattr(self, message["type"].replace(".", "_"), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def websocket_connect(self, message: dict[str, Any]) -> None:
        """Check origin and credentials, set up sending and limits, then run `connect`.

        A foreign origin is refused at the handshake (HTTP 403); a socket without
        valid credentials is accepted and closed 4401 with the reason.
        """
        if not origin_allowed(self.scope):
            await self.close()  # before accept: the server answers 403
            return
        await authenticate(self.scope)
        config = settings.TIDEWIRE
        self.sender = Sender(
            self.base_send, limit=config["SOCKET_BUFFER_LIMIT"], on_overflow=self._too_slow
        )
        self.limiter = FrameLimiter(
            rate=config["SOCKET_FRAME_RATE"], burst=config["SOCKET_FRAME_BURST"]
        )
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            # Accept first: a close before the handshake reaches the browser as a bare
            # 1006 with no code or reason to act on.
            await self.accept()
            reason = _AUTH_REFUSALS[self.scope.get("auth_error", "missing")]
            await self.close(code=close_codes.UNAUTHORIZED, reason=reason)
            return
        expires_at = self.scope.get("auth_expires_at")
        if expires_at is not None:
            delay = max(0.0, expires_at - time.time())
            self._expiry = asyncio.get_running_loop().call_later(delay, self._token_expired)
        await super().websocket_connect(message)

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        """Stop the token-expiry timer, then run `disconnect`."""
        expiry = getattr(self, "_expiry", None)
        if expiry is not None:
            expiry.cancel()
        await super().websocket_disconnect(message)

    def _token_expired(self) -> None:
        spawn(self.close(code=close_codes.UNAUTHORIZED, reason="token expired"))

    async def accept(self, subprotocol=None, headers=None) -> None:
        """Complete the handshake, then write pre-encoded frames when the server allows."""
        await super().accept(subprotocol, headers)
        self.sender.use_wire(Wire.of(self.scope))

    def send_frame(self, frame: dict[str, Any]) -> None:
        """Queue a JSON frame behind everything already sent to this socket."""
        self.sender.send_text(orjson.dumps(frame).decode())

    def send_error(self, code: str, message: str, ref: Any = None) -> None:
        """Tell the client what was wrong with its frame; the socket stays open."""
        frame = {"type": "error", "code": code, "message": message}
        if ref is not None:
            frame["ref"] = ref
        self.send_frame(frame)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None):
        """Parse a JSON object frame and hand it to `receive_frame`."""
        verdict = self.limiter.take()
        if verdict is not FrameLimiter.OK:
            if verdict is FrameLimiter.WARN:
                self.send_error("rate_limited", "too many frames: slow down or be disconnected")
            elif verdict is FrameLimiter.CUT:
                await self.close(code=close_codes.RATE_LIMITED, reason="too many frames")
            return
        if text_data is None:
            self.send_error("binary_frame", "frames must be JSON text")
            return
        try:
            frame = orjson.loads(text_data)
        except orjson.JSONDecodeError:
            self.send_error("invalid_json", "frame is not valid JSON")
            return
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            self.send_error("invalid_frame", 'a frame is a JSON object with a string "type"')
            return
        await self.receive_frame(frame)

    async def receive_frame(self, frame: dict[str, Any]) -> None:
        """Answer ping; subclasses handle more types and call this for the rest."""
        if frame["type"] == "ping":
            reply = {"type": "pong"}
            if "ref" in frame:
                reply["ref"] = frame["ref"]
            self.send_frame(reply)
        else:
            self.send_error(
                "unknown_type", f"unknown frame type {frame['type']!r}", frame.get("ref")
            )

    def _too_slow(self) -> None:
        logger.warning("closing %s: too slow to keep up", self.scope.get("client"))
        spawn(self.close(code=close_codes.TOO_SLOW, reason="too slow to keep up"))
