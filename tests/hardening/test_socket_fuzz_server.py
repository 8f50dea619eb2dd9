"""Generated bad frames and transport abuse through a real uvicorn server: each refused as
documented, nothing in the server's log but refusals, a bystander's chat unharmed.

test_socket_fuzz.py sends its frames through the ASGI application in the test
process; here the same strategies (tests/hardening/socket_frames.py) go over TCP
to `python -m tidewire.serve`, the embedded default with the demo data, as the
demo buyer (a token from `POST /api/auth/token/`) on `/ws/` and
`/ws/chat/<id>/`: each frame whole or in fragments (continuation frames), and
after them, in some examples, what only a transport can carry: a message past
the 64 KiB limit (whole or fragmented; close 1009) or a text frame that is not
UTF-8 (close 1007). Checked: each frame gets one `error` with a code
docs/protocol.md lists (a `ping` probe after it marks the end of its answers),
each close has a code the protocol's close table lists and never 1011, the
server's log gains no traceback and no ERROR line, and a bystander (the demo
admin on their own conversation) gets the chat message the seller sends during
every example.

One command: `.venv/bin/pytest tests/hardening/test_socket_fuzz_server.py`
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import pytest
import websockets
from hypothesis import given
from hypothesis import strategies as st

from apps.chat.topics import conversation_topic, inbox_topic
from tidewire.serve import WS_MAX_SIZE
from tidewire.testing.servers import ServerProcess

from .socket_frames import (
    FUZZ,
    PRESENCE,
    Cast,
    check_refused,
    documented_close_codes,
    encode,
    multiplexed_frames,
    seed_chat_frames,
)

# A generous liveness bound (the machine is shared): answers must come, not come fast.
LIVENESS = 10.0
CLOSES = documented_close_codes()
DEMO = {name: f"tidewire-{name}" for name in ("admin", "seller", "buyer")}
ROUTES = ("/ws/", "/ws/chat/<id>/")
BYSTANDER_MESSAGES = itertools.count()  # client_ids: a retried one would be stored once


@dataclass
class Served:
    """The server, the demo accounts' tokens, the ids the strategies name, and the
    bystander's own conversation (the admin's with the seller)."""

    server: ServerProcess
    tokens: dict[str, str]
    cast: Cast
    bystanders_conversation: int
    log_read: int = 0

    def new_log(self) -> str:
        """What the server logged since the last call."""
        with self.server.log_path.open("rb") as log:
            log.seek(self.log_read)
            text = log.read()
        self.log_read += len(text)
        return text.decode(errors="replace")


def _user_id(token: str) -> int:
    claims = token.split(".")[1]
    return int(json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))["user_id"])


@pytest.fixture
def served(embedded) -> Served:
    """The demo buyer's conversation with the seller (and a seller's message in it), and
    the admin's with the seller about another listing, for the bystander."""
    # Refused sends spend the chat's send budget too (as in test_socket_fuzz.py's world).
    server = embedded(TIDEWIRE_THROTTLE_CHAT_SEND="100000/min")
    with httpx.Client(base_url=server.url, timeout=10) as http:
        tokens = {
            name: http.post(
                "/api/auth/token/", json={"username": name, "password": password}
            ).json()["access"]
            for name, password in DEMO.items()
        }

        def as_(name: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {tokens[name]}"}

        (mine,) = http.get("/api/conversations/", headers=as_("buyer")).json()
        sellers = http.post(
            f"/api/conversations/{mine['id']}/messages/",
            json={"body": "Still available", "client_id": "served-fuzz-1"},
            headers=as_("seller"),
        ).json()
        other_listing = http.post(
            "/api/listings/",
            json={"title": "Desk", "description": "Oak", "price": "80"},
            headers=as_("seller"),
        ).json()
        theirs = http.post(
            f"/api/listings/{other_listing['id']}/conversation/", headers=as_("admin")
        ).json()
        business = http.get("/api/businesses/", headers=as_("admin")).json()["results"][0]
    cast = Cast(
        conversation=mine["id"],
        buyer=_user_id(tokens["buyer"]),
        seller=_user_id(tokens["seller"]),
        sellers_message=sellers["id"],
        others_conversation=theirs["id"],
        business=business["id"],
    )
    return Served(server, tokens, cast, bystanders_conversation=theirs["id"])


async def _connect(served: Served, path: str, user: str) -> Any:
    url = f"{served.server.ws_url}{path}?token={served.tokens[user]}"
    return await websockets.connect(url, origin=served.server.url, max_size=None)


async def _frame(socket: Any) -> dict:
    """The next frame that is not presence (who is here is not an answer)."""
    while True:
        frame = orjson.loads(await asyncio.wait_for(socket.recv(), LIVENESS))
        if frame["type"] not in PRESENCE:
            return frame


@pytest.fixture
async def bystander_socket(served: Served):
    """The admin on `/ws/chat/<their conversation>/`: a well-behaved client on the same server."""
    socket = await _connect(served, f"/ws/chat/{served.bystanders_conversation}/", "admin")
    yield socket
    await socket.close()


def _pieces(frame: str | bytes, fragments: int) -> list[Any]:
    """The frame cut into up to `fragments` non-empty pieces (text at character boundaries)."""
    size = max(1, -(-len(frame) // fragments))
    return [frame[start : start + size] for start in range(0, len(frame), size)] or [frame]


async def _send(socket: Any, frame: str | bytes, fragments: int, *, text: bool = False) -> None:
    """Send whole (one frame) or as a fragmented message (continuation frames); `text=True`
    sends bytes as they are in a text frame."""
    pieces = _pieces(frame, fragments)
    await socket.send(pieces[0] if len(pieces) == 1 else iter(pieces), text=text or None)


async def _answers(socket: Any, frame: str | bytes, fragments: int, probe: int) -> list[dict]:
    """Send one frame, then a ping probe: every frame the server answered before the pong."""
    await _send(socket, frame, fragments)
    await socket.send(encode({"type": "ping", "ref": probe}))
    answers = []
    while (reply := await _frame(socket)) != {"type": "pong", "ref": probe}:
        answers.append(reply)
    return answers


# What only a transport carries, sent last: the close code each must get.
NOT_UTF8 = [b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x82"]
transport_abuse = st.one_of(
    st.tuples(
        st.just(1009),
        st.integers(1, 4096).map(lambda extra: "x" * (WS_MAX_SIZE + extra)),
        st.integers(1, 3),
    ),
    st.tuples(
        st.just(1007),
        st.tuples(st.text(max_size=20), st.sampled_from(NOT_UTF8), st.text(max_size=20)).map(
            lambda parts: parts[0].encode() + parts[1] + parts[2].encode()
        ),
        st.just(1),
    ),
)


async def _closed_with(socket: Any, expected: int) -> int:
    """Read until the server closes; only presence may come before. Returns the code."""
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            frame = await _frame(socket)
            raise AssertionError(f"expected close {expected}, got {frame}")
    assert closed.value.rcvd is not None, "the connection dropped without a close frame"
    return closed.value.rcvd.code


async def _refused(served: Served, socket: Any, route: str, frames, client_id: str, report) -> None:
    """Each frame gets one documented error; the bystander's message is sent after the first."""
    if route == "/ws/":
        for topic in (conversation_topic(served.cast.conversation), inbox_topic(served.cast.buyer)):
            await socket.send(encode({"type": "subscribe", "topic": topic}))
            while (await _frame(socket))["type"] != "subscribed":
                pass
    async with httpx.AsyncClient(base_url=served.server.url, timeout=LIVENESS) as http:
        for probe, (frame, fragments) in enumerate(frames):
            text = frame if isinstance(frame, str | bytes) else encode(frame)
            check_refused(text, await _answers(socket, text, fragments, probe))
            report.count("of them fragmented", len(_pieces(text, fragments)) > 1)
            if probe == 0:  # the bystander's message travels while the server handles the rest
                sent = await http.post(
                    f"/api/conversations/{served.bystanders_conversation}/messages/",
                    json={"body": "Is it still there?", "client_id": client_id},
                    headers={"Authorization": f"Bearer {served.tokens['seller']}"},
                )
                assert sent.status_code == 201, sent.text
    report.count(f"frames refused through a served {route}", len(frames))


@given(data=st.data())
@FUZZ
async def test_a_served_socket_refuses_bad_frames_and_transport_abuse_as_documented(
    served, bystander_socket, hardening_report, data
):
    """Each generated bad frame (whole or fragmented) on `/ws/` or `/ws/chat/<id>/` gets one
    documented error; an oversized message closes 1009, a text frame that is not UTF-8 1007
    (both in the protocol's close table, never 1011); the server logs no traceback or
    ERROR; the bystander gets the message sent meanwhile."""
    route = data.draw(st.sampled_from(ROUTES))
    strategy = multiplexed_frames if route == "/ws/" else seed_chat_frames
    drawn = st.tuples(strategy(served.cast), st.integers(1, 3))
    frames = data.draw(st.lists(drawn, min_size=1, max_size=6))
    ending = data.draw(st.none() | transport_abuse)

    socket = await _connect(served, route.replace("<id>", str(served.cast.conversation)), "buyer")
    client_id = f"bystander-{next(BYSTANDER_MESSAGES)}"
    try:
        await _refused(served, socket, route, frames, client_id, hardening_report)
        if ending is not None:
            code, abuse, fragments = ending
            await _send(socket, abuse, fragments, text=True)
            assert await _closed_with(socket, code) == code
            assert code in CLOSES
            hardening_report.count(f"closed {code} through a served socket", 1)
    finally:
        await socket.close()  # a failed example's too: the user's socket cap is 32

    # Earlier examples' messages first, if one failed before reading its own.
    while (message := await _frame(bystander_socket)).get("message", {}).get("client_id") != (
        client_id
    ):
        assert message["type"] == "message", message
    # The server logs a refusal before it sends the close or the error frame read above.
    log = served.new_log()
    assert "Traceback" not in log and " ERROR " not in log, log
