"""Presence: each user once however many tabs, across processes, expiring with a dead process."""

import pytest

from tidewire.presence import PresenceTable
from tidewire.testing.sockets import open_socket, settle
from tidewire.topics import register_topic

register_topic(r"ptest\.(?P<n>\d+)", may_join=lambda user, m: True, presence=True)

ANN = {"name": "ann", "since": "2026-11-22T10:00:00+00:00"}
BOB = {"name": "bob", "since": "2026-11-22T10:05:00+00:00"}
ANN_EARLIER = {"name": "ann", "since": "2026-11-22T09:00:00+00:00"}


def test_several_tabs_of_a_user_join_once_and_leave_with_the_last():
    table = PresenceTable()
    assert table.join("t", "1", ANN) == ({"1": ANN}, {})
    assert table.join("t", "1", ANN) == ({}, {})  # a second tab
    assert table.leave("t", "1") == ({}, {})
    assert table.leave("t", "1") == ({}, {"1": ANN})
    assert table.state("t") == {}


def test_a_user_on_two_processes_counts_once_with_the_earliest_arrival():
    table = PresenceTable()
    table.join("t", "1", ANN)
    assert table.apply_diff("t", "p2", {"1": ANN_EARLIER, "2": BOB}, [], now=0) == (
        {"2": BOB},
        {},
    )
    assert table.state("t") == {"1": ANN_EARLIER, "2": BOB}
    assert table.leave("t", "1") == ({}, {})  # still on p2
    assert table.apply_diff("t", "p2", {}, ["1"], now=1) == ({}, {"1": ANN_EARLIER})


def test_a_state_replaces_what_was_known_of_that_process():
    table = PresenceTable()
    table.follow("t")
    table.apply_diff("t", "p2", {"1": ANN}, [], now=0)
    # A diff was lost: p2's refresh says only bob is there now.
    assert table.apply_state("t", "p2", {"2": BOB}, now=20) == ({"2": BOB}, {"1": ANN})


def test_a_process_not_heard_from_expires_with_its_users():
    table = PresenceTable()
    table.follow("t")
    table.apply_state("t", "p2", {"1": ANN}, now=0)
    table.apply_state("t", "p3", {"2": BOB}, now=50)
    assert table.expire(now=61, timeout=60) == {"t": ({}, {"1": ANN})}
    assert table.state("t") == {"2": BOB}


def test_remote_news_about_a_topic_not_followed_is_ignored():
    table = PresenceTable()
    assert table.apply_diff("t", "p2", {"1": ANN}, [], now=0) == ({}, {})
    assert table.topics() == []


async def _follow(client, topic="ptest.1"):
    await client.send_frame({"type": "subscribe", "topic": topic})
    assert (await client.frame())["type"] == "subscribed"


async def _presence_frame(client):
    frame = await client.frame()
    assert frame["type"] in ("presence_state", "presence_diff"), frame
    return frame


@pytest.mark.django_db(transaction=True)
async def test_sockets_are_told_who_joins_and_leaves_each_user_once(any_layer, editor, reader):
    ann, _, _ = await open_socket("/ws/", user=editor)
    await _follow(ann)
    state = await _presence_frame(ann)
    assert state["type"] == "presence_state"
    assert set(state["presences"]) == {str(editor.pk)}
    assert state["presences"][str(editor.pk)]["name"] == "editor"

    bob_tab1, _, _ = await open_socket("/ws/", user=reader)
    await _follow(bob_tab1)
    assert set((await _presence_frame(bob_tab1))["presences"]) == {str(editor.pk), str(reader.pk)}
    joined = await _presence_frame(ann)
    assert (joined["type"], set(joined["joins"]), joined["leaves"]) == (
        "presence_diff",
        {str(reader.pk)},
        {},
    )

    bob_tab2, _, _ = await open_socket("/ws/", user=reader)  # a second tab: no news for ann
    await _follow(bob_tab2)
    await _presence_frame(bob_tab2)
    await bob_tab1.disconnect()
    await settle()
    assert await ann.nothing_more()
    await bob_tab2.disconnect()  # the last tab: bob leaves
    left = await _presence_frame(ann)
    assert (left["joins"], set(left["leaves"])) == ({}, {str(reader.pk)})
    await ann.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_unsubscribing_leaves_the_topics_presence(in_memory_layer, editor, reader):
    ann, _, _ = await open_socket("/ws/", user=editor)
    await _follow(ann, "ptest.2")
    await _presence_frame(ann)
    bob, _, _ = await open_socket("/ws/", user=reader)
    await _follow(bob, "ptest.2")
    await _presence_frame(bob)
    await _presence_frame(ann)  # bob joined
    await bob.send_frame({"type": "unsubscribe", "topic": "ptest.2"})
    assert (await bob.frame())["type"] == "unsubscribed"
    assert set((await _presence_frame(ann))["leaves"]) == {str(reader.pk)}
    await ann.disconnect()
    await bob.disconnect()
