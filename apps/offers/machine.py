"""The offer state machine: every legal move in one table; anything else is an IllegalMove.

A move is (status, action) -> who may make it and the status it leads to. The
one who may answer is the side whose `turn` it is: the seller on a pending offer,
the other side of whoever countered last. Only the buyer withdraws, whoever's
turn it is. Closed offers (accepted, declined, expired, withdrawn) take no move.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import MAX_COUNTERS, Offer

Status, Side = Offer.Status, Offer.Side

ACCEPT, DECLINE, COUNTER, WITHDRAW = "accept", "decline", "counter", "withdraw"
ACTIONS = (ACCEPT, DECLINE, COUNTER, WITHDRAW)
ANSWERER = "answerer"  # the side whose turn it is


@dataclass(frozen=True)
class Move:
    by: str  # ANSWERER or Side.BUYER
    to: str


MOVES: dict[tuple[str, str], Move] = {
    (Status.PENDING, ACCEPT): Move(by=ANSWERER, to=Status.ACCEPTED),
    (Status.PENDING, DECLINE): Move(by=ANSWERER, to=Status.DECLINED),
    (Status.PENDING, COUNTER): Move(by=ANSWERER, to=Status.COUNTERED),
    (Status.PENDING, WITHDRAW): Move(by=Side.BUYER, to=Status.WITHDRAWN),
    (Status.COUNTERED, ACCEPT): Move(by=ANSWERER, to=Status.ACCEPTED),
    (Status.COUNTERED, DECLINE): Move(by=ANSWERER, to=Status.DECLINED),
    (Status.COUNTERED, COUNTER): Move(by=ANSWERER, to=Status.COUNTERED),
    (Status.COUNTERED, WITHDRAW): Move(by=Side.BUYER, to=Status.WITHDRAWN),
}


class IllegalMove(Exception):
    """A move the rules refuse; `reason` is a stable code, `message` says why (API: 409)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def next_status(
    *, status: str, turn: str, counters: int, action: str, side: str, expired: bool
) -> str:
    """The status `side` moves the offer to with `action`; IllegalMove with the reason if none."""
    if action not in ACTIONS:
        raise IllegalMove("unknown_move", f"{action!r} is not a move on an offer.")
    move = MOVES.get((status, action))
    if move is None:
        raise IllegalMove("closed", f"The offer is already {status}: it takes no more moves.")
    if expired:
        raise IllegalMove("expired", "The offer expired: make a new one.")
    if move.by == Side.BUYER and side != Side.BUYER:
        raise IllegalMove("buyer_only", f"Only the buyer may {action} an offer.")
    if move.by == ANSWERER and side != turn:
        raise IllegalMove("not_your_turn", f"It is the {turn}'s turn to answer this offer.")
    if action == COUNTER and counters >= MAX_COUNTERS:
        raise IllegalMove(
            "no_counters_left", f"No counters left: an offer takes at most {MAX_COUNTERS}."
        )
    return move.to
