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


async def open_socket(
    path: str, *, origin: bytes = ORIGIN, headers: list[tuple[bytes, bytes]] | None = None
) -> tuple[Client, bool, int | None]:
    """Connect to `path`; returns the client, whether it was accepted, and the close code."""
    from config.asgi import application

    all_headers = [(b"origin", origin), (b"host", b"127.0.0.1"), *(headers or [])]
    client = Client(application, path, headers=all_headers)
    connected, code = await client.connect(timeout=5)
    return client, connected, code


async def settle() -> None:
    """Let callbacks scheduled from other threads (after-commit broadcasts) run."""
    for _ in range(5):
        await asyncio.sleep(0.01)
