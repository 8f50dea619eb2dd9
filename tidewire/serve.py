"""Serve a Tidewire project with uvicorn and the options the core relies on.

Which proxies' X-Forwarded-For / X-Forwarded-Proto are believed is
TIDEWIRE_TRUSTED_PROXIES (addresses or networks); unset, no one's.

`python -m tidewire.serve <module>:<application> [uvicorn args]`, or from a
project's own entry point (`config/serve.py`). Further uvicorn arguments
(--host, --port, --workers, --fd, ...) pass through.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from collections.abc import Mapping

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


# Set in the environment: the proxies (addresses or networks, comma-separated)
# whose X-Forwarded-For and X-Forwarded-Proto are believed.
TRUSTED_PROXIES_VARIABLE = "TIDEWIRE_TRUSTED_PROXIES"
# uvicorn's options that would trust proxies behind TIDEWIRE_TRUSTED_PROXIES' back.
PROXY_FLAGS = ("--proxy-headers", "--no-proxy-headers", "--forwarded-allow-ips")


class ProxyConfigError(ValueError):
    """TIDEWIRE_TRUSTED_PROXIES, or a proxy option on the command line, is wrong."""


def trusted_proxies(environ: Mapping[str, str] = os.environ) -> list[str]:
    """The addresses and networks in TIDEWIRE_TRUSTED_PROXIES (empty: trust no one)."""
    entries = [item.strip() for item in environ.get(TRUSTED_PROXIES_VARIABLE, "").split(",")]
    proxies = [entry for entry in entries if entry]
    for proxy in proxies:
        # As uvicorn reads them: a network with host bits set (10.0.0.1/24) or
        # anything else it cannot parse it would keep as a name that never matches.
        try:
            if "/" in proxy:
                ipaddress.ip_network(proxy)
            else:
                ipaddress.ip_address(proxy)
        except ValueError as error:
            raise ProxyConfigError(
                f"{TRUSTED_PROXIES_VARIABLE}: {proxy!r} is not an IP address or network ({error})"
            ) from None
    return proxies


def proxy_options(environ: Mapping[str, str] = os.environ) -> list[str]:
    """uvicorn's proxy options: believe forwarded headers from the trusted proxies only.

    uvicorn trusts X-Forwarded-For and X-Forwarded-Proto from 127.0.0.1 unless
    told otherwise; a client on the same machine, or any client when no proxy is
    in front, would then choose the address it is counted under (rate limits,
    lockouts) with a header. With proxies set, uvicorn takes the client address
    and scheme from their headers into REMOTE_ADDR and the request's scheme.
    """
    proxies = trusted_proxies(environ)
    if not proxies:
        return ["--no-proxy-headers"]
    return ["--proxy-headers", "--forwarded-allow-ips", ",".join(proxies)]


def _refuse_proxy_flags(args: list[str]) -> None:
    for arg in args:
        if arg.split("=", 1)[0] in PROXY_FLAGS:
            raise ProxyConfigError(
                f"{arg.split('=', 1)[0]}: set {TRUSTED_PROXIES_VARIABLE} to the proxies' "
                "addresses instead (docs/deployment.md)"
            )


def main(argv: list[str] | None = None) -> None:
    """Run uvicorn: the application first, then Tidewire's options, then the caller's.

    uvicorn's own proxy flags are refused: which proxies are trusted is
    TIDEWIRE_TRUSTED_PROXIES, in one place.
    """
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0].startswith("-"):
        raise SystemExit("usage: python -m tidewire.serve <module>:<application> [uvicorn args]")
    try:
        _refuse_proxy_flags(args[1:])
        proxies = proxy_options()
    except ProxyConfigError as error:
        sys.exit(f"tidewire.serve: {error}")
    uvicorn_main(args=[args[0], *OPTIONS, *proxies, *args[1:]], prog_name="uvicorn")


if __name__ == "__main__":
    main()
