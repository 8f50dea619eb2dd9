"""Reads of moderation: who blocked whom (the chat and offers ask before every send)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import Block


def _user_id(user: Any) -> int:
    return user if isinstance(user, int) else user.pk


def blocked_between(a: Any, b: Any) -> bool:
    """Whether either of two users (ids or users) blocked the other: one indexed query."""
    a, b = _user_id(a), _user_id(b)
    return Block.objects.filter(
        Q(blocker_id=a, blocked_id=b) | Q(blocker_id=b, blocked_id=a)
    ).exists()


def blocks_among(pairs: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """The blocks, as (blocker, blocked), between the users of each pair either way round:
    one indexed query for any number of pairs (a batch of chat messages)."""
    if not pairs:
        return set()
    either_way = Q()
    for a, b in set(pairs):
        either_way |= Q(blocker_id=a, blocked_id=b) | Q(blocker_id=b, blocked_id=a)
    return set(Block.objects.filter(either_way).values_list("blocker_id", "blocked_id"))


def block_exists(*, blocker_field: str, blocked_field: str) -> Exists:
    """For a query's rows with two users: whether the one in `blocker_field` blocked the one
    in `blocked_field`, as an annotation (an indexed lookup inside the row's own query:
    a batch of chat messages reads its conversations and their blocks in one statement)."""
    return Exists(
        Block.objects.filter(blocker_id=OuterRef(blocker_field), blocked_id=OuterRef(blocked_field))
    )


def has_blocked(*, blocker: Any, blocked: Any) -> bool:
    """Whether `blocker` blocked `blocked` (one way round: whose block it is)."""
    return Block.objects.filter(blocker_id=_user_id(blocker), blocked_id=_user_id(blocked)).exists()


def blocks_made(*, user_id: int) -> QuerySet[Block]:
    """The user's own blocks, newest first, with the blocked users."""
    return Block.objects.filter(blocker_id=user_id).select_related("blocked")
