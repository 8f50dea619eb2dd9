"""A test client for the multiplexed socket that resumes by itself, as the browser client does."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import Any

import orjson
import websockets


class ResumingSubscriber:
    """Follows one topic on /ws/, reconnecting (to any of `urls`) and resuming from its offset.

    Records every event it receives, so a test can check for gaps and repeats.
    """

    def __init__(self, urls: list[str], topic: str, *, token: str, rcvbuf: int | None = None):
        self.urls = urls
        self.topic = topic
        self.token = token
        self.rcvbuf = rcvbuf
        self.offset: int | None = None
        self.events: list[dict[str, Any]] = []
        self.closes: list[int | None] = []
        self.resets = 0
        self.subscribed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stop = False

    @property
    def offsets(self) -> list[int]:
        return [event["offset"] for event in self.events]

    async def start(self, *, offset: int | None = None) -> None:
        """Connect and subscribe; returns once the first subscription is acknowledged."""
        self.offset = offset
        self._task = asyncio.create_task(self._run())
        await asyncio.wait_for(self.subscribed.wait(), 10)

    async def stop(self) -> None:
        self._stop = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def wait_for_offset(self, offset: int, timeout: float = 15) -> None:  # noqa: ASYNC109
        deadline = asyncio.get_running_loop().time() + timeout
        while (self.offset or 0) < offset:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"at offset {self.offset}, wanted {offset}")
            await asyncio.sleep(0.02)

    def _connect(self, url: str):
        origin = url.replace("ws://", "http://").split("/ws/")[0]
        sock = None
        if self.rcvbuf is not None:
            # A tiny receive buffer makes a client that does not read look slow quickly.
            host, port = url.split("//")[1].split("/")[0].split(":")
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.rcvbuf)
            sock.connect((host, int(port)))
        return websockets.connect(
            f"{url}/ws/?token={self.token}", origin=origin, sock=sock, max_queue=None
        )

    async def _run(self) -> None:
        attempt = 0
        while not self._stop:
            url = self.urls[attempt % len(self.urls)]
            attempt += 1
            try:
                async with self._connect(url) as ws:
                    frame: dict[str, Any] = {"type": "subscribe", "topic": self.topic}
                    if self.offset is not None:
                        frame["offset"] = self.offset
                    await ws.send(orjson.dumps(frame).decode())
                    async for raw in ws:
                        self._receive(orjson.loads(raw))
            except (OSError, websockets.ConnectionClosed, websockets.InvalidHandshake) as error:
                code = getattr(getattr(error, "rcvd", None), "code", None)
                self.closes.append(code)
            await asyncio.sleep(0.1)

    def _receive(self, frame: dict[str, Any]) -> None:
        if frame["type"] == "event":
            self.events.append(frame)
            self.offset = frame["offset"]
        elif frame["type"] == "reset":
            self.resets += 1
        elif frame["type"] == "subscribed":
            if self.offset is None or frame["offset"] > self.offset:
                self.offset = frame["offset"]
            self.subscribed.set()
