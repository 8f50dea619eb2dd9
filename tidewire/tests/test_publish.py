import orjson
import pytest
from django.db import transaction

from tidewire import fanout
from tidewire.events import EventShapeError, EventType
from tidewire.models import Event
from tidewire.publish import publish
from tidewire.topics import TopicError

PING = EventType("publish_test", {"n": int})

pytestmark = pytest.mark.django_db


@pytest.fixture
def broadcasts(monkeypatch):
    sent = []
    monkeypatch.setattr(fanout, "broadcast", sent.append)
    return sent


def test_event_is_stored_and_broadcast_after_commit(broadcasts, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        stored = publish(topic="pub.a", event=PING, n=7)
        assert broadcasts == []  # nothing leaves before commit
    assert len(callbacks) == 1
    assert broadcasts == [stored]
    assert orjson.loads(stored.body) == {"type": "publish_test", "n": 7}
    row = Event.objects.get(topic="pub.a")
    assert (row.offset, row.type, row.body) == (1, "publish_test", stored.body)


def test_rolled_back_event_is_neither_stored_nor_sent(
    broadcasts, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        publish(topic="pub.b", event=PING, n=1)
        raise RuntimeError
    assert broadcasts == []
    assert not Event.objects.filter(topic="pub.b").exists()


def test_bad_events_are_refused_before_anything_is_written(broadcasts):
    with pytest.raises(EventShapeError):
        publish(topic="pub.c", event=PING, n="seven")
    with pytest.raises(TopicError):
        publish(topic="Not A Topic", event=PING, n=1)
    assert not Event.objects.exists()
