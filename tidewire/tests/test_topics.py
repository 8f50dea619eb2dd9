"""Topic names and join rules: sync rules may query the database, async ones are awaited,
only True admits, a rule that raises refuses (and is logged)."""

import logging

import pytest
from django.contrib.auth.models import User

from tidewire.testing.sockets import open_socket
from tidewire.topics import (
    JoinRuleFailed,
    TopicError,
    authorize_join,
    check_topic_name,
    register_topic,
)

# Sync rules run through database_sync_to_async, which touches the connection.
pytestmark = pytest.mark.django_db(transaction=True)

register_topic(r"testing\.room\.(?P<room>\d+)", may_join=lambda user, m: m["room"] == "1")


def _owner_only(user, match):
    # A database query, as a chat's "is this user a participant?" is: on the event
    # loop it would raise SynchronousOnlyOperation.
    return User.objects.filter(pk=user.pk, username=f"owner{match['n']}").exists()


async def _async_rule(user, match):
    return match["n"] == "1"


def _truthy(user, match):
    return 1  # truthy, but not True


def _raises(user, match):
    raise LookupError("the rule's own bug")


def _returns_a_coroutine(user, match):
    return _async_rule(user, match)  # a plain function handing back an unawaited coroutine


register_topic(r"testing\.db\.(?P<n>\d+)", may_join=_owner_only)
register_topic(r"testing\.async\.(?P<n>\d+)", may_join=_async_rule)
register_topic(r"testing\.truthy", may_join=_truthy)
register_topic(r"testing\.raises", may_join=_raises)
register_topic(r"testing\.coroutine", may_join=_returns_a_coroutine)


@pytest.mark.django_db(transaction=False)
@pytest.mark.parametrize("name", ["", "Upper", "a b", "x" * 91, ".lead", 5, None])
def test_malformed_names_are_refused(name):
    with pytest.raises(TopicError, match="malformed"):
        check_topic_name(name)


async def test_join_rule_sees_the_match():
    assert await authorize_join(None, "testing.room.1") is True
    assert await authorize_join(None, "testing.room.2") is False


async def test_unregistered_topic_is_unknown():
    with pytest.raises(TopicError, match="unknown topic"):
        await authorize_join(None, "testing.nowhere")


async def test_a_sync_rule_may_query_the_database():
    owner = await User.objects.acreate(username="owner7")
    stranger = await User.objects.acreate(username="stranger")
    assert await authorize_join(owner, "testing.db.7") is True
    assert await authorize_join(stranger, "testing.db.7") is False


async def test_an_async_rule_is_awaited_not_taken_as_truthy():
    assert await authorize_join(None, "testing.async.1") is True
    assert await authorize_join(None, "testing.async.2") is False


async def test_only_true_admits():
    assert await authorize_join(None, "testing.truthy") is False


async def test_a_plain_rule_returning_a_coroutine_refuses(caplog):
    with caplog.at_level(logging.ERROR, logger="tidewire.topics"):
        assert await authorize_join(None, "testing.coroutine") is False
    assert "declare it async def" in caplog.text


async def test_a_rule_that_raises_refuses_and_is_logged(caplog):
    with caplog.at_level(logging.ERROR, logger="tidewire.topics"), pytest.raises(JoinRuleFailed):
        await authorize_join(None, "testing.raises")
    assert "join rule for 'testing.raises' failed" in caplog.text
    assert "LookupError" in caplog.text  # the traceback is in the log


async def test_on_the_socket_each_rule_answers_as_it_should(in_memory_layer, editor):
    await User.objects.filter(pk=editor.pk).aupdate(username="owner3")
    client, _, _ = await open_socket("/ws/", user=editor)
    expected = {
        "testing.db.3": "subscribed",
        "testing.db.4": "forbidden",
        "testing.async.1": "subscribed",
        "testing.truthy": "forbidden",
        "testing.raises": "join_failed",
    }
    for topic, outcome in expected.items():
        await client.send_frame({"type": "subscribe", "topic": topic, "ref": topic})
        frame = await client.frame()
        assert frame["ref"] == topic
        assert (frame["type"] if frame["type"] == "subscribed" else frame["code"]) == outcome
    await client.disconnect()
