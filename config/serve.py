"""Serve Tidewire with uvicorn and the options it relies on: `python -m config.serve [ARGS]`.

Every way Tidewire is started (make run, the tests, the benchmark, deployments)
goes through here, so the options live in one place. Further uvicorn arguments
(--host, --port, --workers, --fd, ...) pass through.
"""

import sys

from uvicorn.main import main as uvicorn_main

APPLICATION = "config.asgi:application"
OPTIONS = [
    # uvicorn's sans-I/O protocol, whose transport tidewire.transport writes frames
    # to, in a subclass that keeps less per open socket.
    "--ws", "tidewire.ws_protocol:LeanWebSocketProtocol",
    # Event frames are small JSON (a few hundred bytes): compressing each socket's
    # copy would cost more CPU than it saves bandwidth, and would rule out writing
    # one encoded frame to every socket.
    "--ws-per-message-deflate", "false",
]  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    """Run uvicorn on Tidewire's ASGI application with Tidewire's options."""
    args = [APPLICATION, *OPTIONS, *(sys.argv[1:] if argv is None else argv)]
    uvicorn_main(args=args, prog_name="uvicorn")


if __name__ == "__main__":
    main()
