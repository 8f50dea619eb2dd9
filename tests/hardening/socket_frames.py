"""Hypothesis strategies for WebSocket frames that every endpoint must refuse, and their oracle.

Every frame drawn here is invalid for the endpoint it is sent to: none may
store anything or reach another client. What a valid answer is comes from
docs/protocol.md itself (`documented_error_codes`), so a code the server sends
but the protocol does not list fails the property.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from apps.chat.topics import conversation_topic, inbox_topic
from apps.notifications.topics import notifications_topic

PROTOCOL = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"

# Bounded so each fuzz file runs in well under a minute on a shared 2-core machine;
# derandomized with no example database, so CI tries the same frames every run.
FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)


def documented_error_codes() -> set[str]:
    """The `error` codes docs/protocol.md lists: the core's, and each topic frame's "Errors:"."""
    text = PROTOCOL.read_text()
    listed = [text.split("Error codes:")[1].split("\n\n")[0]]
    listed += [line.split("Errors:", 1)[1] for line in text.splitlines() if "Errors:" in line]
    # Parentheses explain a code (`rate_limited` (the `chat_send` budget)): not codes.
    return {
        code
        for passage in listed
        for code in re.findall(r"`([a-z_]+)`", re.sub(r"\([^)]*\)", "", passage))
    }


def documented_close_codes() -> set[int]:
    """The close codes docs/protocol.md's "Close codes" table lists."""
    table = PROTOCOL.read_text().split("## Close codes")[1].split("\n\n")[1]
    return {int(code) for code in re.findall(r"^\| (\d{4}) \|", table, flags=re.MULTILINE)}


# An answer that means the server failed (logged on its side): never acceptable for
# bad input, which must be refused for what it is.
SERVER_FAILURES = {"failed", "join_failed", "subscribe_failed", "database_unavailable"}
ANSWERS = documented_error_codes() - SERVER_FAILURES
# What may answer a frame besides an error: nothing here asks for more.
PRESENCE = {"presence_state", "presence_diff", "signal"}


def check_refused(frame: str | bytes, answers: list[dict]) -> None:
    """One error frame with a documented code (never a server failure), ref echoed if valid."""
    assert len(answers) == 1, (frame, answers)
    (answer,) = answers
    assert answer["type"] == "error", (frame, answer)
    assert answer["code"] in ANSWERS, (frame, answer)
    assert isinstance(answer["message"], str) and answer["message"], answer


# Characters a JSON string may carry over a real socket (text frames are UTF-8:
# a lone surrogate cannot be sent; as an escape, `\ud800`, it can, and is drawn).
_CHARACTERS = st.characters(exclude_categories=("Cs",))
_TEXT = st.text(_CHARACTERS, max_size=40)
# Integers beyond 64 bits and floats: orjson reads them its own way.
_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _TEXT
)
json_values = st.recursive(
    _LEAVES,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(_TEXT.filter(lambda key: len(key) < 12), children, max_size=4)
    ),
    max_leaves=12,
)
not_a_string = json_values.filter(lambda value: not isinstance(value, str))


def encode(frame: Any) -> str:
    """JSON text as a client would send it (big integers kept, non-ASCII escaped)."""
    return json.dumps(frame)


def nested(depth: int, *, inner: str = "0") -> str:
    """`depth` arrays and objects inside each other, alternating."""
    opening = "".join('[{"a":' if level % 2 else "[" for level in range(depth))
    closing = "".join("}]" if level % 2 else "]" for level in reversed(range(depth)))
    return opening + inner + closing


not_json = st.one_of(
    _TEXT.map(lambda text: "{" + text),  # cut short
    st.sampled_from(["", " ", "NaN", "Infinity", "[1,]", "{'type': 'ping'}", '"\\ud800"', "tru"]),
    st.text(_CHARACTERS, min_size=1, max_size=60),
)
deep = st.integers(min_value=30, max_value=3_000).map(
    lambda depth: '{"type": "ping", "ref": ' + nested(depth) + "}"
) | st.integers(min_value=500, max_value=3_000).map(nested)

# A `ref` a client may send (echoed) or may not (refused with invalid_frame).
refs = st.none() | st.integers(-(2**60), 2**60) | st.text(_CHARACTERS, max_size=80) | json_values


def frame_with(kind: Any, **fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict]:
    """A frame of `type` kind with each of `fields` (drawn, or left out), and maybe a ref."""
    return st.fixed_dictionaries(
        {"type": st.just(kind) if not isinstance(kind, st.SearchStrategy) else kind},
        optional={**fields, "ref": refs},
    )


# Types no endpoint takes (the known ones are drawn on purpose, per endpoint).
KNOWN_TYPES = {
    "ping",
    "subscribe",
    "unsubscribe",
    "message",
    "edit",
    "delete",
    "typing",
    "delivered",
    "read",
}
unknown_types = _TEXT.filter(lambda kind: kind not in KNOWN_TYPES)
wrong_shapes = st.one_of(
    json_values.filter(lambda value: not isinstance(value, dict)),
    st.dictionaries(_TEXT.filter(lambda key: key != "type"), json_values, max_size=4),
    frame_with(not_a_string),
)

# Bodies the chat refuses: not text, blank, too long, or holding a control or a
# direction character (a chat body keeps newline and tab, nothing else of Cc/Cf).
REFUSED_CHARACTERS = "\x00\x1b\x07\x7f\u202e\u202d\u2066\u200b\ufeff\u2028\u00ad"
bad_bodies = st.one_of(
    not_a_string,
    st.sampled_from(["", "   ", "\n\t ", "x" * 5_001]),
    st.tuples(_TEXT, st.sampled_from(REFUSED_CHARACTERS), _TEXT).map("".join),
)
# Ids the chat refuses outright: not integers, or out of range (booleans are not ids).
bad_ids = st.one_of(
    json_values.filter(lambda value: type(value) is not int),
    st.integers(max_value=-1),
    st.integers(min_value=2**63, max_value=2**70),
)


def chat_frames(*, others_message: int) -> st.SearchStrategy[dict]:
    """Frames about a conversation, each refused: wrong fields, or another's message."""
    return st.one_of(
        frame_with("message", body=bad_bodies, client_id=json_values),
        frame_with(st.sampled_from(["edit", "delete"]), message=bad_ids, body=json_values),
        # The other participant's message, or one that does not exist: never changed.
        frame_with(
            st.sampled_from(["edit", "delete"]),
            message=st.just(others_message) | st.integers(10**9, 2**62),
            body=json_values,
        ).filter(lambda frame: "message" in frame),
        frame_with("typing", typing=json_values.filter(lambda value: type(value) is not bool)),
        frame_with(st.sampled_from(["delivered", "read"]), up_to=bad_ids),
        frame_with(unknown_types, body=json_values),
    )


def generic_frames() -> st.SearchStrategy[str | bytes]:
    """Text and binary frames no endpoint takes: not JSON, too deep, the wrong shape, a
    type nobody knows, and binary."""
    return st.one_of(
        not_json,
        deep,
        wrong_shapes.map(encode),
        frame_with(unknown_types, topic=json_values, body=json_values).map(encode),
        st.binary(max_size=200),
    )


@dataclass(frozen=True)
class Cast:
    """The ids the endpoint strategies name: a buyer in `conversation` with `seller`, whose
    `sellers_message` is in it, and others' things (`others_conversation`, `business`)."""

    conversation: int
    buyer: int
    seller: int
    sellers_message: int
    others_conversation: int
    business: int


# Frames the seed endpoints without frames of their own refuse: any type but ping.
def fixed_topic_frames() -> st.SearchStrategy:
    return st.one_of(
        generic_frames(),
        frame_with(st.sampled_from(sorted(KNOWN_TYPES - {"ping"})), body=json_values),
    )


def seed_chat_frames(cast: Cast) -> st.SearchStrategy:
    """Frames `/ws/chat/<id>/` refuses, for the buyer of the conversation."""
    return st.one_of(
        generic_frames(),
        chat_frames(others_message=cast.sellers_message),
        # seed 003's own frame, with a body the chat refuses
        st.fixed_dictionaries({"message": bad_bodies}),
    )


def multiplexed_frames(cast: Cast) -> st.SearchStrategy:
    """Frames `/ws/` refuses, for a buyer following its conversation and its inbox."""
    mine = conversation_topic(cast.conversation)
    inbox = inbox_topic(cast.buyer)
    # Topics this buyer may not join, may not name, or follows already.
    refused_topics = st.one_of(
        st.sampled_from(
            [
                notifications_topic(cast.seller),
                inbox_topic(cast.seller),
                conversation_topic(cast.others_conversation),
                "chat.conversation.99999999999999999999",
                "bookings.dashboard",
                f"bookings.business.{cast.business}",
                "records.users.1",
                "Records.Users",
                "x" * 91,
                mine,
            ]
        ),
        st.text(max_size=30).filter(
            lambda topic: not topic.startswith(("records", "listings", "twtest"))
        ),
        not_a_string,
    )
    offsets = st.none() | bad_ids | st.integers(0, 10)
    return st.one_of(
        generic_frames(),
        frame_with("subscribe", topic=refused_topics, offset=offsets),
        frame_with("unsubscribe", topic=refused_topics.filter(lambda topic: topic != mine)),
        # About a topic the socket does not follow
        frame_with(st.sampled_from(sorted(KNOWN_TYPES)), topic=refused_topics, body=json_values)
        .filter(lambda frame: frame["type"] not in ("ping", "subscribe", "unsubscribe"))
        .filter(lambda frame: "topic" in frame and frame["topic"] != mine),
        # About the conversation it follows, refused by the chat
        chat_frames(others_message=cast.sellers_message).map(
            lambda frame: {**frame, "topic": mine}
        ),
        # About its inbox
        frame_with("delivered", conversation=bad_ids, up_to=bad_ids, topic=st.just(inbox)).map(
            lambda frame: {**frame, "topic": inbox}
        ),
        frame_with(st.sampled_from(["read", "typing", "message"]), ref=refs).map(
            lambda frame: {**frame, "topic": inbox}
        ),
    )
