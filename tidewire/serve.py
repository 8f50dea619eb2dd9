"""Serve a Tidewire project with uvicorn and the options the core relies on.

`python -m tidewire.serve <module>:<application> [uvicorn args]`, or from a
project's own entry point (`config/serve.py`). Further uvicorn arguments
(--host, --port, --workers, --fd, ...) pass through.
"""

from __future__ import annotations

import sys

from uvicorn.main import main as uvicorn_main

# A frame from a client is a subscribe, a ping, a chat message: well under 64 KiB.
# uvicorn's default (16 MiB) let 20 clients grow the server by 627 MiB at once.
WS_MAX_SIZE = 64 * 1024

OPTIONS = [
    # uvicorn's sans-I/O protocol, whose transport tidewire.transport writes frames
    # to, in a subclass that keeps less per open socket.
    "--ws", "tidewire.ws_protocol:LeanWebSocketProtocol",
    # Event frames are small JSON (a few hundred bytes): compressing each socket's
    # copy would cost more CPU than it saves bandwidth, and would rule out writing
    # one encoded frame to every socket.
    "--ws-per-message-deflate", "false",
    # A bigger frame closes the socket with 1009 (message too big).
    "--ws-max-size", str(WS_MAX_SIZE),
]  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    """Run uvicorn: the application first, then Tidewire's options, then the caller's."""
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0].startswith("-"):
        raise SystemExit("usage: python -m tidewire.serve <module>:<application> [uvicorn args]")
    uvicorn_main(args=[args[0], *OPTIONS, *args[1:]], prog_name="uvicorn")


if __name__ == "__main__":
    main()
