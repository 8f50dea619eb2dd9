"""A WebSocket client that stops reading: the slow consumer a server must not wait for.

Built on websockets' sans-I/O protocol over a plain blocking socket, so nothing
reads from the socket behind the test's back.
"""

from __future__ import annotations

import socket

import orjson
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.typing import Origin
from websockets.uri import parse_uri


class StalledClient:
    """Connect, send frames, then read only when the test says so."""

    def __init__(self, url: str, *, origin: str, receive_buffer: int = 4096) -> None:
        self.protocol = ClientProtocol(parse_uri(url), origin=Origin(origin))
        host, port = url.split("//", 1)[1].split("/", 1)[0].split(":")
        self.sock = socket.socket()
        # Set before connecting, so the kernel does not grow it: a 4 KB window.
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.settimeout(10)
        self.sock.connect((host, int(port)))
        self.protocol.send_request(self.protocol.connect())
        self._flush()
        while self.protocol.handshake_exc is None and not self._handshake_done():
            self.protocol.receive_data(self.sock.recv(65536))
        if self.protocol.handshake_exc is not None:
            raise self.protocol.handshake_exc

    def _handshake_done(self) -> bool:
        return any(getattr(e, "status_code", None) == 101 for e in self.protocol.events_received())

    def _flush(self) -> None:
        for data in self.protocol.data_to_send():
            if data:
                self.sock.sendall(data)

    def send_frame(self, frame: dict) -> None:
        self.protocol.send_text(orjson.dumps(frame))
        self._flush()

    def receive_frame(self) -> dict:
        """Read until one text frame has arrived (e.g. the subscribe acknowledgement)."""
        while True:
            for event in self.protocol.events_received():
                if isinstance(event, Frame) and event.opcode is Opcode.TEXT:
                    return orjson.loads(event.data)
            self.protocol.receive_data(self.sock.recv(4096))

    def read_until_closed(self) -> tuple[list[dict], int | None]:
        """Read everything the server sent, up to its close frame: (frames, close code)."""
        frames: list[dict] = []
        while True:
            try:
                data = self.sock.recv(65536)
            except TimeoutError:
                return frames, None
            if not data:
                self.protocol.receive_eof()
            else:
                self.protocol.receive_data(data)
            for event in self.protocol.events_received():
                if isinstance(event, Frame) and event.opcode is Opcode.TEXT:
                    frames.append(orjson.loads(event.data))
                elif isinstance(event, Frame) and event.opcode is Opcode.CLOSE:
                    return frames, self._close_code()
            if not data:
                return frames, self._close_code()

    def _close_code(self) -> int | None:
        received = self.protocol.close_rcvd  # close_code waits for the closing handshake
        return None if received is None else received.code

    def close(self) -> None:
        self.sock.close()
