"""Where an idle socket's server memory goes, allocation by allocation.

    .venv/bin/python -m bench.socket_memory                  # 2,000 sockets
    .venv/bin/python -m bench.socket_memory --trace          # + tracemalloc's top sites
    .venv/bin/python -m bench.socket_memory --trace --group traceback --depth 8

`bench.idle` says how much memory a socket costs; this says what it is made of.
Tidewire is served by uvicorn inside this process (with tidewire.serve's WebSocket
options, on a fresh SQLite file, in-process channel layer), the sockets are opened
on /ws/user-updates/ by a child process, and the report gives, per socket: the
RSS growth, the objects the garbage collector tracks by type, and with `--trace`
the allocation sites tracemalloc finds still holding memory. The lifespan is off
here, so the collection policy (tidewire/collector.py), which freezes objects out
of the collector's sight, does not hide them from the count.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import gc
import os
import sys
import tempfile
import tracemalloc

from .idle import SOCKET_PATH, open_idle_sockets
from .machine import raise_open_files_limit

WARM_SOCKETS = 50  # imports, pools and caches paid once, before counting


async def _hold_sockets(port: int, count: int, token: str) -> None:
    """The child: open `count` sockets, say so on stdout, then hold them until killed."""
    sockets = await open_idle_sockets(port=port, path=f"{SOCKET_PATH}?token={token}", count=count)
    print(len(sockets), flush=True)
    await asyncio.Event().wait()


def _rss_kib() -> int:
    """This process's resident memory alone (bench.machine.rss_kib adds the client child)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def _tracked_by_type() -> collections.Counter[str]:
    gc.collect()
    return collections.Counter(type(obj).__name__ for obj in gc.get_objects())


def _prepare_django() -> str:
    """A fresh database with the demo data; an access token for a demo account."""
    directory = tempfile.mkdtemp(prefix="socket-memory-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DEBUG="0",
        DATABASE_URL=f"sqlite:///{directory}/db.sqlite3",
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from rest_framework_simplejwt.tokens import AccessToken

    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", stdout=quiet)
    return str(AccessToken.for_user(get_user_model().objects.get(username="admin")))


async def _open_from_child(port: int, count: int, token: str) -> asyncio.subprocess.Process:
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.socket_memory", "--hold", str(port), str(count), token,
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert child.stdout is not None
    if not (await child.stdout.readline()).strip():
        await child.wait()
        raise RuntimeError("the client process opened no sockets")
    await asyncio.sleep(3)  # let the last handshakes settle
    return child


async def _measure(args: argparse.Namespace, token: str) -> None:
    import uvicorn

    from config.asgi import application
    from tidewire.serve import OPTIONS
    from tidewire.testing.redis_server import free_port

    port = free_port()
    config = uvicorn.Config(
        application,
        host="127.0.0.1",
        port=port,
        ws=OPTIONS[OPTIONS.index("--ws") + 1],
        ws_per_message_deflate=False,
        lifespan="off",
        log_level="warning",
    )
    server = uvicorn.Server(config)
    serving = asyncio.ensure_future(server.serve())
    children = []
    try:
        for _ in range(250):
            if server.started:
                break
            await asyncio.sleep(0.02)
        warm = await _open_from_child(port, WARM_SOCKETS, token)
        warm.kill()
        await warm.wait()
        await asyncio.sleep(2)
        if args.trace:
            tracemalloc.start(args.depth)
        tracked, rss = _tracked_by_type(), _rss_kib()
        before = tracemalloc.take_snapshot() if args.trace else None
        children.append(await _open_from_child(port, args.sockets, token))
        tracked_after, rss_after = _tracked_by_type(), _rss_kib()
        count = args.sockets
        growth = sum(tracked_after.values()) - sum(tracked.values())
        tracing = " (tracemalloc's own records included)" if args.trace else ""
        print(f"{count} sockets: {(rss_after - rss) / count:.2f} KiB of RSS per socket{tracing},")
        print(f"{growth / count:.1f} collector-tracked objects per socket:")
        for name, extra in (tracked_after - tracked).most_common(args.top):
            print(f"  {extra / count:7.2f}  {name}")
        if before is not None:
            stats = tracemalloc.take_snapshot().compare_to(before, args.group)
            traced = sum(stat.size_diff for stat in stats)
            print(f"\ntraced: {traced / count:.0f} bytes per socket; largest sites:")
            for stat in stats[: args.top]:
                where = stat.traceback.format(limit=args.depth, most_recent_first=True)
                print(f"  {stat.size_diff / count:7.0f} B  {stat.count_diff / count:5.2f} blocks")
                for line in where:
                    if line.lstrip().startswith("File"):
                        print(f"           {line.strip()}")
    finally:
        for child in children:
            child.kill()
            await child.wait()
        server.should_exit = True
        await serving


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.socket_memory", description=__doc__)
    parser.add_argument("--sockets", type=int, default=2000)
    parser.add_argument("--trace", action="store_true", help="allocation sites (tracemalloc)")
    parser.add_argument("--group", choices=["lineno", "traceback"], default="lineno")
    parser.add_argument("--depth", type=int, default=1, help="frames kept per allocation")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument(
        "--hold", nargs=3, metavar=("PORT", "COUNT", "TOKEN"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    import uvloop

    if args.hold:
        port, count, token = args.hold
        uvloop.run(_hold_sockets(int(port), int(count), token))
        return
    raise_open_files_limit(4 * args.sockets)
    token = _prepare_django()  # before the loop: migrate is synchronous
    uvloop.run(_measure(args, token))


if __name__ == "__main__":
    main()
