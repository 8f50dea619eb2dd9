"""The socket base: who may stay connected, how fast they may talk, and how frames go out.

Every Tidewire WebSocket consumer derives from `SocketConsumer`. Close codes are
in tidewire/close_codes.py and docs/protocol.md.

A socket's life has one shape whatever ends it: closing is idempotent, nothing
is read after a close, and `release` (leave every topic, give back the socket's
counts) runs exactly once on every path out: a client disconnect, a close by the
server, an exception, a cancelled task.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import time
from typing import Any

import orjson
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer

from . import close_codes, metrics
from .auth import authenticate
from .background import spawn
from .conf import tidewire_setting
from .connections import connections
from .logs import connection_id
from .origins import client_address, origin_allowed
from .rate_limits import FrameLimiter
from .sender import Sender
from .transport import Wire, note_path

_AUTH_REFUSALS = {
    "missing": "authentication required",
    "invalid": "invalid token",
    "expired": "token expired",
}

# A `ref` is the client's own short label for a request, echoed back; anything
# longer is not a label (16 MiB refs were echoed before this bound).
REF_MAX_LENGTH = 64

logger = logging.getLogger(__name__)

# Connection ids: this process (pid in hex) and a counter; unique across a cluster's
# processes for as long as pids are, and cheap (no UUID per socket).
_PROCESS_TAG = f"{os.getpid():x}"
_connection_numbers = itertools.count(1)


class SocketConsumer(AsyncWebsocketConsumer):
    """A JSON socket whose every outgoing frame goes through one ordered `Sender`."""

    closed = False  # the server sent (or tried to send) a close
    _released = False
    _counted: tuple[str, str] | None = None  # (user, address) while counted in `connections`

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
        finally:
            self._release()

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
        """Check origin, credentials and caps, set up sending and limits, then run `connect`.

        A foreign origin is refused at the handshake (HTTP 403); a socket without
        valid credentials is accepted and closed 4401 with the reason; one over a
        cap on open sockets is accepted and closed 4429.
        """
        # Every log line about this socket names it (this task's context lasts as long).
        connection_id.set(f"{_PROCESS_TAG}.{next(_connection_numbers)}")
        if not origin_allowed(self.scope):
            await self.close()  # before accept: the server answers 403
            return
        await authenticate(self.scope)
        self.sender = Sender(
            self.base_send,
            limit=tidewire_setting("SOCKET_BUFFER_LIMIT"),
            on_overflow=self._too_slow,
        )
        self.limiter = FrameLimiter(
            rate=tidewire_setting("SOCKET_FRAME_RATE"),
            burst=tidewire_setting("SOCKET_FRAME_BURST"),
            window=tidewire_setting("SOCKET_REFUSAL_WINDOW"),
        )
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            # Accept first: a close before the handshake reaches the browser as a bare
            # 1006 with no code or reason to act on.
            reason = _AUTH_REFUSALS[self.scope.get("auth_error", "missing")]
            if self.scope.get("auth_error"):  # a token was given and refused: worth a look
                logger.warning("refusing a socket from %s: %s", client_address(self.scope), reason)
            await self.refuse(close_codes.UNAUTHORIZED, reason)
            return
        counted = (str(user.pk), client_address(self.scope))
        refusal = await connections.open(self, user=counted[0], address=counted[1])
        if refusal is not None:
            metrics.count(metrics.RATE_LIMITED, scope="socket_open")
            logger.warning("refusing a socket of user %s from %s: %s", *counted, refusal)
            await self.refuse(close_codes.RATE_LIMITED, refusal)
            return
        self._counted = counted
        metrics.count(metrics.SOCKETS_OPEN)
        expires_at = self.scope.get("auth_expires_at")
        if expires_at is not None:
            delay = max(0.0, expires_at - time.time())
            self._expiry = asyncio.get_running_loop().call_later(delay, self._token_expired)
        await super().websocket_connect(message)

    async def refuse(self, code: int, reason: str) -> None:
        """Complete the handshake and close at once, so the client can read why."""
        await self.accept()
        await self.close(code=code, reason=reason)

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        """The client went away: run `disconnect`; `release` follows on the way out."""
        self.closed = True
        await self.disconnect(message.get("code", 1000))
        raise StopConsumer()

    async def disconnect(self, code: int) -> None:
        """Hook for subclasses: the socket is closing (cleanup that needs to await)."""

    def release(self) -> None:
        """Hook for subclasses: give back what the socket holds; synchronous, runs once."""

    def _release(self) -> None:
        if self._released:
            return
        self._released = True
        self.closed = True
        expiry = getattr(self, "_expiry", None)
        if expiry is not None:
            expiry.cancel()
        sender = getattr(self, "sender", None)
        if sender is not None:  # it refers back to this socket: no cycle left behind
            sender.release()
        try:
            self.release()
        finally:
            if self._counted is not None:
                user, address = self._counted
                connections.close(self, user=user, address=address)
                metrics.count(metrics.SOCKETS_OPEN, -1)

    def _token_expired(self) -> None:
        spawn(self.close(code=close_codes.UNAUTHORIZED, reason="token expired"))

    async def accept(self, subprotocol=None, headers=None) -> None:
        """Complete the handshake, then write pre-encoded frames when the server allows."""
        await super().accept(subprotocol, headers)
        wire = Wire.of(self.scope)
        note_path(wire, self.scope)
        self.sender.use_wire(wire)

    async def close(self, code: int | None = None, reason: str | None = None) -> None:
        """Close once; later calls (a flood's 4429 racing a token's expiry) do nothing."""
        if self.closed:
            return
        self.closed = True
        if code is not None:
            metrics.count(metrics.SOCKET_CLOSES, code=str(code))
        sender = getattr(self, "sender", None)
        if sender is not None:
            sender.closed = True  # nothing more after the close frame
        try:
            await super().close(code=code, reason=reason)
        except Exception:  # the client is gone already: nothing to tell it
            logger.debug("close after the client left", exc_info=True)

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
        """Parse a JSON object frame and hand it to `receive_frame`; nothing after a close."""
        if self.closed:
            return
        verdict = self.limiter.take()
        if verdict is not FrameLimiter.OK:
            metrics.count(metrics.RATE_LIMITED, scope="socket_frames")
            if verdict is FrameLimiter.WARN:
                self.send_error("rate_limited", "too many frames: slow down or be disconnected")
            elif verdict is FrameLimiter.CUT:
                logger.warning("closing %s: too many frames", self.scope.get("client"))
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
        frame = self.normalize_frame(frame)
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            self.send_error("invalid_frame", 'a frame is a JSON object with a string "type"')
            return
        ref = frame.get("ref")
        if ref is not None and not _is_ref(ref):
            self.send_error(
                "invalid_frame",
                f'"ref" must be a string of at most {REF_MAX_LENGTH} characters or an integer',
            )
            return
        await self.receive_frame(frame)

    def normalize_frame(self, frame: Any) -> Any:
        """Hook: rewrite a parsed frame before it is checked (a seed's frame without "type")."""
        return frame

    async def receive_frame(self, frame: dict[str, Any]) -> None:
        """Answer ping; subclasses handle more types and call this for the rest."""
        if frame["type"] == "ping":
            reply = {"type": "pong"}
            if "ref" in frame:
                reply["ref"] = frame["ref"]
            self.send_frame(reply)
        else:
            self.send_error(
                "unknown_type", f"unknown frame type {frame['type'][:64]!r}", frame.get("ref")
            )

    def _too_slow(self) -> None:
        logger.warning("closing %s: too slow to keep up", self.scope.get("client"))
        spawn(self.close(code=close_codes.TOO_SLOW, reason="too slow to keep up"))


def _is_ref(ref: Any) -> bool:
    if isinstance(ref, str):
        return len(ref) <= REF_MAX_LENGTH
    return type(ref) is int and abs(ref) < 2**53  # what a JavaScript number holds exactly
