import pytest

from tidewire.topics import TopicError, authorize_join, check_topic_name, register_topic

register_topic(r"testing\.room\.(?P<room>\d+)", may_join=lambda user, m: m["room"] == "1")


@pytest.mark.parametrize("name", ["", "Upper", "a b", "x" * 91, ".lead", 5, None])
def test_malformed_names_are_refused(name):
    with pytest.raises(TopicError, match="malformed"):
        check_topic_name(name)


def test_join_rule_sees_the_match():
    assert authorize_join(None, "testing.room.1") is True
    assert authorize_join(None, "testing.room.2") is False


def test_unregistered_topic_is_unknown():
    with pytest.raises(TopicError, match="unknown topic"):
        authorize_join(None, "testing.nowhere")
