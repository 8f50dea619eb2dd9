"""This process's open sockets by user and client address: closing a user's sockets, and caps.

A logout or a password change must end every socket of that user at once, in
every process: `close_user_sockets` sends one control message through the
channel layer, and each process closes its own (4401). Caps on open sockets
per user and per client address stop one token or one client from opening
hundreds; with Redis configured (`TIDEWIRE["REDIS_URL"]`) they count across
processes (tidewire/socket_counts.py), otherwise in this process.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from django.db import transaction

from .background import spawn
from .conf import tidewire_setting
from .fanout import hub, run_from_any_thread
from .socket_counts import SocketCounts

logger = logging.getLogger(__name__)

CLOSE_USER = "tidewire.close_user"


class Closable(Protocol):
    async def close(self, code: int | None = None, reason: str | None = None) -> None: ...


class Connections:
    """Open sockets of this process, by user id."""

    def __init__(self) -> None:
        self._by_user: dict[str, set[Closable]] = {}
        self.counts = SocketCounts()

    def sockets_of(self, user: str) -> set[Closable]:
        return set(self._by_user.get(user, ()))

    def count(self) -> int:
        return sum(len(sockets) for sockets in self._by_user.values())

    async def open(self, socket: Closable, *, user: str, address: str) -> str | None:
        """Count a new socket; the refusal's reason when a cap is reached, else None."""
        await hub.ensure_running()  # its control group is how a close reaches this socket
        refusal = await self.counts.take(
            user=user,
            address=address,
            user_cap=tidewire_setting("MAX_SOCKETS_PER_USER"),
            address_cap=tidewire_setting("MAX_SOCKETS_PER_ADDRESS"),
        )
        if refusal is None:
            self._by_user.setdefault(user, set()).add(socket)
        return refusal

    def close(self, socket: Closable, *, user: str, address: str) -> None:
        """The socket is gone (synchronous: runs on every path a socket leaves by)."""
        sockets = self._by_user.get(user)
        if sockets is None or socket not in sockets:
            return
        sockets.discard(socket)
        if not sockets:
            del self._by_user[user]
        self.counts.give_back(user=user, address=address)

    def close_local(self, user: str, code: int, reason: str) -> int:
        """Close this process's sockets of a user; returns how many."""
        sockets = self.sockets_of(user)
        for socket in sockets:
            spawn(socket.close(code=code, reason=reason))
        if sockets:
            logger.info("closing %d socket(s) of user %s: %s", len(sockets), user, reason)
        return len(sockets)


connections = Connections()


def _on_close_user(message: dict[str, Any]) -> None:
    connections.close_local(message["user"], message["code"], message["reason"])


hub.on_control(CLOSE_USER, _on_close_user)
hub.every_resync(connections.counts.heartbeat)


async def aclose_user_sockets(user_id: Any, *, code: int, reason: str) -> None:
    """Close every open socket of the user, in every process."""
    message = {"type": CLOSE_USER, "user": str(user_id), "code": code, "reason": reason}
    await hub.send_control(message)


def close_user_sockets(user_id: Any, *, code: int, reason: str) -> None:
    """From sync code (a service): close the user's sockets once the transaction commits."""
    transaction.on_commit(
        lambda: run_from_any_thread(lambda: aclose_user_sockets(user_id, code=code, reason=reason)),
        robust=True,
    )
