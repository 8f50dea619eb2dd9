"""Finding uvicorn's transport under a socket, and when not to use it."""

from types import SimpleNamespace

from uvicorn.config import Config
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from uvicorn.server import ServerState

from tidewire.serve import OPTIONS
from tidewire.transport import SERVER_SEND, Wire


async def _app(scope, receive, send):
    pass


def uvicorn_protocol(*, deflate: bool) -> WebSocketsSansIOProtocol:
    """A protocol as uvicorn builds it per connection (call inside a running loop)."""
    config = Config(app=_app, ws=OPTIONS[OPTIONS.index("--ws") + 1], ws_per_message_deflate=deflate)
    config.load()
    protocol = WebSocketsSansIOProtocol(config=config, server_state=ServerState(), app_state={})
    protocol.transport = SimpleNamespace(
        is_closing=lambda: False, get_write_buffer_size=lambda: 7, write=lambda data: None
    )
    protocol.handshake_complete = True
    return protocol


async def test_wire_is_found_behind_uvicorns_send_once_accepted():
    protocol = uvicorn_protocol(deflate=False)
    wire = Wire.of({SERVER_SEND: protocol.send})
    assert wire is not None
    assert wire.open and wire.buffered == 7
    protocol.close_sent = True
    assert not wire.open


async def test_no_wire_before_the_handshake_or_with_compression_or_another_server():
    protocol = uvicorn_protocol(deflate=False)
    protocol.handshake_complete = False
    assert Wire.of({SERVER_SEND: protocol.send}) is None
    compressed = uvicorn_protocol(deflate=True)
    compressed.conn.extensions = [object()]  # as after negotiating permessage-deflate
    assert Wire.of({SERVER_SEND: compressed.send}) is None

    async def other_server_send(message):
        pass

    assert Wire.of({SERVER_SEND: other_server_send}) is None
    assert Wire.of({}) is None


def test_tidewire_serves_without_per_message_compression():
    assert OPTIONS[OPTIONS.index("--ws-per-message-deflate") + 1] == "false"
