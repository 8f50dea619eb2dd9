"""A TCP proxy that can play a server going away: every connection cut, new ones refused.

Put between server processes and PostgreSQL (their DATABASE_URL names the
proxy's port), it stops the database for them without stopping the database
itself, which the test run shares. It runs its own event loop on a thread, so
a test that blocks (or a pytest-asyncio loop that is busy) does not stall the
traffic it carries.
"""

from __future__ import annotations

import asyncio
import threading

from .redis_server import free_port

CHUNK = 65536


class TcpProxy:
    """Forward 127.0.0.1:`port` to `target`; `cut()` stops the service, `restore()` resumes it."""

    def __init__(self, target_host: str, target_port: int, *, port: int | None = None) -> None:
        self.target = (target_host, target_port)
        self.port = port or free_port()
        self.accepted = 0  # connections forwarded since start
        self.cut_connections = 0  # connections closed by cut()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        # Each forwarded connection's two ends (the client's, the target's).
        self._pipes: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()

    def start(self) -> None:
        self._thread.start()
        self._call(self._listen())

    def cut(self) -> int:
        """Close every open connection and stop listening (new ones are refused); how many."""
        return self._call(self._cut())

    def restore(self) -> None:
        """Listen again on the same port."""
        self._call(self._listen())

    def stop(self) -> None:
        self._call(self._cut())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def _call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def _cut(self) -> int:
        if self._server is not None:
            self._server.close()  # refuse from now on (the port is no longer listened on)
            self._server = None
        pipes = list(self._pipes)
        for ends in pipes:
            for writer in ends:
                _abort(writer)  # both pumps of the pipe end by themselves
        self.cut_connections += len(pipes)
        return len(pipes)

    async def _serve(self, client_reader, client_writer) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            _abort(client_writer)
            return
        ends = (client_writer, server_writer)
        self._pipes.add(ends)
        self.accepted += 1
        try:
            await asyncio.gather(
                _pump(client_reader, server_writer), _pump(server_reader, client_writer)
            )
        except OSError:
            pass
        finally:
            self._pipes.discard(ends)
            for writer in ends:
                _abort(writer)


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(CHUNK):
        writer.write(data)
        await writer.drain()
    _abort(writer)  # one side closed: so does the other, as a connection would


def _abort(writer: asyncio.StreamWriter) -> None:
    # An abort (RST), not a polite close: the peer learns at once, as when a server dies.
    writer.transport.abort()
