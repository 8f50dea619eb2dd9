"""The state machine as a table: every status x action x side x turn, legal or not, and why."""

import itertools

import pytest

from apps.offers.machine import ACTIONS, IllegalMove, next_status
from apps.offers.models import MAX_COUNTERS, OPEN_STATUSES, Offer

Status, Side = Offer.Status, Offer.Side

# The rules, written out independently of machine.MOVES: (status, action, side, turn) -> result.
EXPECTED = {}
for status, action, side, turn in itertools.product(
    Status.values, ACTIONS, Side.values, [Side.BUYER, Side.SELLER, ""]
):
    if status not in OPEN_STATUSES:
        result = "closed"
    elif action == "withdraw":
        result = Status.WITHDRAWN if side == Side.BUYER else "buyer_only"
    elif side != turn:
        result = "not_your_turn"
    else:
        result = {"accept": Status.ACCEPTED, "decline": Status.DECLINED}.get(action, "countered")
    EXPECTED[(status, action, side, turn)] = result


@pytest.mark.parametrize(("status", "action", "side", "turn"), sorted(EXPECTED))
def test_every_move_is_legal_or_refused_with_its_reason(status, action, side, turn):
    expected = EXPECTED[(status, action, side, turn)]
    move = dict(status=status, turn=turn, counters=0, action=action, side=side, expired=False)
    if expected in Status.values:
        assert next_status(**move) == expected
    else:
        with pytest.raises(IllegalMove) as refused:
            next_status(**move)
        assert refused.value.reason == expected
        assert refused.value.message


def test_the_legal_moves_are_exactly_these():
    legal = {key: value for key, value in EXPECTED.items() if value in Status.values}
    assert {(s, a, side, t) for (s, a, side, t) in legal if a != "withdraw"} == {
        (status, action, side, side)
        for status in OPEN_STATUSES
        for action in ("accept", "decline", "counter")
        for side in Side.values
    }


@pytest.mark.parametrize("counters", range(MAX_COUNTERS + 1))
def test_a_counter_needs_one_left_and_the_other_moves_do_not(counters):
    move = dict(status="countered", turn="buyer", side="buyer", counters=counters, expired=False)
    if counters < MAX_COUNTERS:
        assert next_status(action="counter", **move) == "countered"
    else:
        with pytest.raises(IllegalMove) as refused:
            next_status(action="counter", **move)
        assert refused.value.reason == "no_counters_left"
        assert "at most 3" in refused.value.message
    assert next_status(action="accept", **move) == "accepted"


@pytest.mark.parametrize("action", ACTIONS)
def test_an_expired_open_offer_takes_no_move(action):
    with pytest.raises(IllegalMove) as refused:
        next_status(
            status="pending", turn="seller", counters=0, action=action, side="seller", expired=True
        )
    assert refused.value.reason == "expired"


def test_closed_beats_expired_and_unknown_moves_are_named():
    with pytest.raises(IllegalMove) as refused:
        next_status(
            status="accepted", turn="", counters=0, action="accept", side="seller", expired=True
        )
    assert refused.value.reason == "closed"
    assert "already accepted" in refused.value.message
    with pytest.raises(IllegalMove) as refused:
        next_status(
            status="pending",
            turn="seller",
            counters=0,
            action="haggle",
            side="seller",
            expired=False,
        )
    assert refused.value.reason == "unknown_move"
