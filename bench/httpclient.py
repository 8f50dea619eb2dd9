"""A minimal HTTP/1.1 keep-alive client for the writers.

A general client (httpx) spends several hundred microseconds of CPU per request;
on a two-core machine shared with the server, that is CPU the server under test
does not get. This one writes a request and reads the status, headers and body
(Content-Length or chunked) on one reused connection, and nothing else.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping

_MAX_HEADER = 65_536


class HttpError(Exception):
    """The server answered something that is not HTTP/1.1 as expected."""


class HttpConnection:
    """One keep-alive connection to 127.0.0.1:port; reconnects when the server closes it."""

    def __init__(
        self,
        host: str,
        port: int,
        headers: Mapping[str, str] | None = None,
        *,
        reply_within: float = 30.0,
    ) -> None:
        self.host = host
        self.port = port
        self.reply_within = reply_within  # seconds; a slower reply raises TimeoutError
        self._fixed_headers = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        """Send one request and return (status, body); raises on timeout or a broken reply."""
        # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow an outside cancel.
        async with asyncio.timeout(self.reply_within):
            return await self._request(method, path, body)

    async def close(self) -> None:
        """Close the connection, if open."""
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError, TimeoutError):
                async with asyncio.timeout(2.0):
                    await writer.wait_closed()

    async def _request(self, method: str, path: str, body: bytes) -> tuple[int, bytes]:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        reader, writer = self._reader, self._writer
        assert reader is not None
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Accept: application/json\r\n{self._fixed_headers}"
        )
        if body:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        writer.write(head.encode() + b"\r\n" + body)
        try:
            status, headers = await _read_head(reader)
            payload = await _read_body(reader, headers)
        except BaseException:
            await self.close()  # a half-read reply leaves the connection unusable
            raise
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, payload


async def _read_head(reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except asyncio.LimitOverrunError as error:
        raise HttpError("response headers too long") from error
    except asyncio.IncompleteReadError as error:
        raise HttpError("connection closed before a response") from error
    if len(raw) > _MAX_HEADER:
        raise HttpError("response headers too long")
    status_line, *lines = raw[:-4].decode("latin-1").split("\r\n")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
        raise HttpError(f"bad status line {status_line!r}")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(parts[1]), headers


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if "content-length" in headers:
        return await reader.readexactly(int(headers["content-length"]))
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)  # the chunk and its CRLF
            if size == 0:
                return b"".join(chunks)
            chunks.append(chunk[:-2])
    return await reader.read()  # no length: the body runs to the end of the connection
