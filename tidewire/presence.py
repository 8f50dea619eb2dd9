"""Presence: who follows a topic right now, across every process, each user once.

Each process knows the users on its own sockets (`local`, counted per socket so
several tabs make one entry) and what the other processes last said about theirs
(`remote`). The merged view of a topic is every user with at least one entry
anywhere, with the earliest `since`. Processes tell each other through the
topic's channel-layer group (tidewire/fanout.py carries the messages):

- a *diff* (`joins`, `leaves`) when a user's first socket on a process joins or
  the last one leaves;
- their whole *state* for the topic every `PRESENCE_REFRESH` seconds, and in
  answer to a process that starts following the topic; a state replaces what was
  known of that process, so a lost diff heals at the next refresh;
- a process not heard from for `PRESENCE_TIMEOUT` seconds is dropped, so a
  process that dies leaves nobody "online" for longer than that.

This module is pure bookkeeping (no I/O): every change returns the change to the
merged view, `(joins, leaves)`, which the hub pushes to local subscribers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Meta = dict[str, Any]  # {"name": ..., "since": ISO 8601}
Change = tuple[dict[str, Meta], dict[str, Meta]]  # (joins, leaves) of the merged view
NO_CHANGE: Change = ({}, {})


@dataclass
class _Remote:
    """What one other process last said about one topic."""

    entries: dict[str, Meta]
    heard: float


@dataclass
class _Topic:
    local: dict[str, Meta] = field(default_factory=dict)
    sockets: dict[str, int] = field(default_factory=dict)  # user -> local sockets
    remote: dict[str, _Remote] = field(default_factory=dict)  # process -> its entries


class PresenceTable:
    """This process's view of presence in the topics it follows."""

    def __init__(self) -> None:
        self._topics: dict[str, _Topic] = {}

    def topics(self) -> list[str]:
        return list(self._topics)

    def state(self, topic: str) -> dict[str, Meta]:
        """The merged view: each present user once, with their earliest arrival."""
        entry = self._topics.get(topic)
        if entry is None:
            return {}
        merged: dict[str, Meta] = {}
        for entries in (entry.local, *(r.entries for r in entry.remote.values())):
            for user, meta in entries.items():
                known = merged.get(user)
                if known is None or meta["since"] < known["since"]:
                    merged[user] = meta
        return merged

    def local_state(self, topic: str) -> dict[str, Meta]:
        """The users on this process's sockets, as other processes are told."""
        entry = self._topics.get(topic)
        return dict(entry.local) if entry is not None else {}

    def join(self, topic: str, user: str, meta: Meta) -> Change:
        """A local socket of `user` follows the topic now."""
        entry = self._topics.setdefault(topic, _Topic())
        entry.sockets[user] = entry.sockets.get(user, 0) + 1
        if user in entry.local:
            return NO_CHANGE
        return self._changing(topic, {user}, lambda: entry.local.__setitem__(user, meta))

    def leave(self, topic: str, user: str) -> Change:
        """A local socket of `user` stopped following the topic."""
        entry = self._topics.get(topic)
        if entry is None or user not in entry.sockets:
            return NO_CHANGE
        entry.sockets[user] -= 1
        if entry.sockets[user] > 0:
            return NO_CHANGE
        del entry.sockets[user]
        return self._changing(topic, {user}, lambda: entry.local.pop(user, None))

    def apply_diff(
        self, topic: str, process: str, joins: dict[str, Meta], leaves: list[str], now: float
    ) -> Change:
        """Another process's users joined or left."""
        entry = self._topics.get(topic)
        if entry is None:
            return NO_CHANGE
        remote = entry.remote.setdefault(process, _Remote({}, now))

        def apply() -> None:
            remote.heard = now
            for user in leaves:
                remote.entries.pop(user, None)
            remote.entries.update(joins)

        return self._changing(topic, set(joins) | set(leaves), apply)

    def apply_state(self, topic: str, process: str, entries: dict[str, Meta], now: float) -> Change:
        """Another process's whole state for the topic, replacing what was known of it."""
        entry = self._topics.get(topic)
        if entry is None:
            return NO_CHANGE
        before = entry.remote.get(process)
        users = set(entries) | (set(before.entries) if before else set())
        return self._changing(
            topic, users, lambda: entry.remote.__setitem__(process, _Remote(dict(entries), now))
        )

    def expire(self, now: float, timeout: float) -> dict[str, Change]:
        """Drop processes not heard from within `timeout`; the changes by topic."""
        changes: dict[str, Change] = {}
        for topic, entry in self._topics.items():
            for process, remote in list(entry.remote.items()):
                if now - remote.heard > timeout:
                    change = self._changing(
                        topic, set(remote.entries), lambda e=entry, p=process: e.remote.pop(p)
                    )
                    if change != NO_CHANGE:
                        changes[topic] = _combine(changes.get(topic, NO_CHANGE), change)
        return changes

    def forget(self, topic: str) -> None:
        """This process follows the topic no more: drop what it knew of it."""
        self._topics.pop(topic, None)

    def follow(self, topic: str) -> None:
        """Start keeping a topic (before its first local join: other processes' states come in)."""
        self._topics.setdefault(topic, _Topic())

    def _changing(self, topic: str, users: set[str], apply) -> Change:
        """Apply a change and return what it changed in the merged view of those users."""
        entry = self._topics[topic]
        before = {u: m for u in users if (m := _earliest(entry, u)) is not None}
        apply()
        after = {u: m for u in users if (m := _earliest(entry, u)) is not None}
        joins = {u: m for u, m in after.items() if u not in before}
        leaves = {u: m for u, m in before.items() if u not in after}
        return joins, leaves


def _earliest(entry: _Topic, user: str) -> Meta | None:
    """One user's entry in the merged view: the earliest of theirs anywhere, or None."""
    found = entry.local.get(user)
    for remote in entry.remote.values():
        meta = remote.entries.get(user)
        if meta is not None and (found is None or meta["since"] < found["since"]):
            found = meta
    return found


def _combine(first: Change, second: Change) -> Change:
    joins = {**first[0], **second[0]}
    leaves = {**first[1], **second[1]}
    for user in set(joins) & set(leaves):
        del joins[user], leaves[user]
    return joins, leaves
