"""Open sockets against the real ASGI application (origin check and auth included)."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from channels.testing import WebsocketCommunicator

ORIGIN = b"http://127.0.0.1"


class Client(WebsocketCommunicator):
    """A WebsocketCommunicator that speaks JSON frames (timeouts in seconds, as its own)."""

    async def send_frame(self, frame: Any) -> None:
        await self.send_to(text_data=orjson.dumps(frame).decode())

    async def frame(self, timeout: float = 3) -> Any:  # noqa: ASYNC109
        return orjson.loads(await self.receive_from(timeout=timeout))

    async def frames(self, count: int, timeout: float = 3) -> list[Any]:  # noqa: ASYNC109
        return [await self.frame(timeout) for _ in range(count)]

    async def nothing_more(self, timeout: float = 0.2) -> bool:  # noqa: ASYNC109
        """True when no frame arrives within the timeout."""
        return await self.receive_nothing(timeout=timeout)


def access_token(user: Any) -> str:
    """A fresh JWT access token for the user, as POST /api/auth/token/ would give."""
    from rest_framework_simplejwt.tokens import AccessToken

    return str(AccessToken.for_user(user))


async def open_socket(
    path: str,
    *,
    user: Any = None,
    token: str | None = None,
    origin: bytes = ORIGIN,
    headers: list[tuple[bytes, bytes]] | None = None,
    address: str | None = None,
) -> tuple[Client, bool, int | None]:
    """Connect to `path` (as `user`, or with `token`); returns client, accepted, close code.

    `address`: the client's address as the server sees it (the scope's `client`).

    An unauthenticated socket is accepted and then closed with 4401: read that close
    with `client.output()` / `receive_output`.
    """
    from django.conf import settings
    from django.utils.module_loading import import_string

    application = import_string(settings.ASGI_APPLICATION)
    if user is not None:
        token = access_token(user)
    if token is not None:
        path = f"{path}{'&' if '?' in path else '?'}token={token}"
    all_headers = [(b"origin", origin), (b"host", b"127.0.0.1"), *(headers or [])]
    client = Client(application, path, headers=all_headers)
    if address is not None:
        client.scope["client"] = [address, 40000]  # the application holds this same dict
    connected, code = await client.connect(timeout=5)
    return client, connected, code


async def close_frame(client: Client, timeout: float = 3) -> dict[str, Any]:  # noqa: ASYNC109
    """The close message the server sent (code and reason)."""
    message = await client.receive_output(timeout)
    while message["type"] == "websocket.send":
        message = await client.receive_output(timeout)
    assert message["type"] == "websocket.close", message
    return message


async def settle() -> None:
    """Let callbacks scheduled from other threads (after-commit broadcasts) run."""
    for _ in range(5):
        await asyncio.sleep(0.01)
