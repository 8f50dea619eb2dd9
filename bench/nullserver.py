"""A server that does the least a fan-out can do: the load generator's ceiling.

It speaks just enough of the seed contract for the load generator: GET
/api/users/, PATCH /api/users/<id>/ (nothing stored) and the socket
/ws/user-updates/, which gets each PATCH as a seed-format event encoded once
and written to every socket's transport. Run against it (`--targets null`),
the benchmark shows how many deliveries a second the load generator itself can
take in and time on this machine; the real servers must stay well below that
for their figures to be theirs.

    python -m bench.nullserver --port 8123
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import re
from datetime import UTC, datetime
from typing import cast

import orjson
import uvloop

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_RECORD_IDS = (1, 2, 3, 4, 5)
_DETAIL = re.compile(r"^/api/users/(\d+)/$")


def _server_frame(text: bytes) -> bytes:
    size = len(text)
    if size < 126:
        return bytes((0x81, size)) + text
    if size < 65_536:
        return bytes((0x81, 126)) + size.to_bytes(2, "big") + text
    return bytes((0x81, 127)) + size.to_bytes(8, "big") + text


def _response(status: str, body: bytes) -> bytes:
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


class Connection(asyncio.Protocol):
    """An HTTP/1.1 connection that may upgrade to a WebSocket."""

    sockets: set[Connection] = set()

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.websocket = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def connection_lost(self, exc: Exception | None) -> None:
        Connection.sockets.discard(self)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.buffer and not (self.transport and self.transport.is_closing()):
            consumed = self._client_frame() if self.websocket else self._request()
            if not consumed:
                return

    def _request(self) -> bool:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return False
        request_line, *lines = self.buffer[:end].decode("latin-1").split("\r\n")
        headers = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        if len(self.buffer) < end + 4 + length:
            return False
        body = self.buffer[end + 4 : end + 4 + length]
        self.buffer = self.buffer[end + 4 + length :]
        method, path, _ = request_line.split(" ", 2)
        self._handle(method, path.split("?", 1)[0], headers, body)
        return True

    def _handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> None:
        assert self.transport is not None
        if headers.get("upgrade", "").lower() == "websocket":
            key = headers["sec-websocket-key"].encode()
            accept = base64.b64encode(hashlib.sha1(key + _GUID).digest()).decode()
            self.transport.write(
                (
                    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                    f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
                ).encode()
            )
            self.websocket = True
            Connection.sockets.add(self)
            return
        match = _DETAIL.match(path)
        if method == "GET" and path == "/api/users/":
            records = [{"id": record_id} for record_id in _RECORD_IDS]
            self.transport.write(_response("200 OK", orjson.dumps(records)))
        elif method == "PATCH" and match:
            user = _user(int(match.group(1)), orjson.loads(body))
            event = {"type": "user_update", "data": {"action": "update", "user": user}}
            frame = _server_frame(orjson.dumps(event))
            for socket in tuple(Connection.sockets):
                if socket.transport is not None:
                    socket.transport.write(frame)
            self.transport.write(_response("200 OK", orjson.dumps(user)))
        else:
            self.transport.write(_response("404 Not Found", b'{"detail":"not found"}'))

    def _client_frame(self) -> bool:
        data = self.buffer
        if len(data) < 6:
            return False
        opcode, length = data[0] & 0x0F, data[1] & 0x7F
        if length > 125:  # subscribers send only control frames
            assert self.transport is not None
            self.transport.close()
            return False
        if len(data) < 6 + length:
            return False
        self.buffer = data[6 + length :]
        if opcode == 0x8:  # close: answer and hang up
            assert self.transport is not None
            self.transport.write(bytes((0x88, 0)))
            self.transport.close()
        return True


def _user(record_id: int, changes: dict[str, str]) -> dict[str, object]:
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    return {
        "id": record_id,
        "first_name": changes.get("first_name", ""),
        "last_name": "Null",
        "created_at": now,
        "updated_at": now,
    }


async def serve(port: int) -> None:
    """Listen on 127.0.0.1:port until cancelled."""
    server = await asyncio.get_running_loop().create_server(Connection, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    uvloop.run(serve(parser.parse_args().port))


if __name__ == "__main__":
    main()
