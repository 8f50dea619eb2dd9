import orjson
import pytest
from django.db import transaction

from tidewire import fanout
from tidewire.events import EventShapeError, EventType
from tidewire.models import Event
from tidewire.publish import OutsideTransaction, publish
from tidewire.topics import TopicError

PING = EventType("publish_test", {"n": int})

pytestmark = pytest.mark.django_db


class Broadcasts(list):
    """Every event broadcast, in order; `calls`: the events of each broadcast call."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[list] = []

    def __call__(self, events) -> None:
        self.calls.append(list(events))
        self.extend(events)


@pytest.fixture
def broadcasts(monkeypatch):
    sent = Broadcasts()
    monkeypatch.setattr(fanout, "broadcast", sent)
    return sent


def test_event_is_stored_and_broadcast_after_commit(broadcasts, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
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
    with pytest.raises(EventShapeError), transaction.atomic():
        publish(topic="pub.c", event=PING, n="seven")
    with pytest.raises(TopicError), transaction.atomic():
        publish(topic="Not A Topic", event=PING, n=1)
    assert not Event.objects.exists()


def test_publish_outside_the_writers_transaction_raises_and_stores_nothing(broadcasts):
    # The test case's own wrapping transaction does not count: in production a
    # service without transaction.atomic() would commit its change alone.
    with pytest.raises(OutsideTransaction, match=r"transaction\.atomic"):
        publish(topic="pub.d", event=PING, n=1)
    assert broadcasts == []
    assert not Event.objects.filter(topic="pub.d").exists()


@pytest.mark.django_db(transaction=True)
def test_publish_outside_any_transaction_raises_in_autocommit(broadcasts):
    with pytest.raises(OutsideTransaction):
        publish(topic="pub.e", event=PING, n=1)
    assert not Event.objects.filter(topic="pub.e").exists()


def test_an_event_costs_two_queries_in_the_writers_transaction(
    broadcasts, django_assert_num_queries
):
    # The next offset (INSERT ... ON CONFLICT ... RETURNING, the topic's row lock)
    # and the event row: no savepoint, no read-back.
    with transaction.atomic():
        publish(topic="pub.f", event=PING, n=0)  # the topic's first event creates its row
        with django_assert_num_queries(2):
            publish(topic="pub.f", event=PING, n=1)


@pytest.mark.django_db(transaction=True)
def test_publish_all_stores_several_events_in_two_statements_with_consecutive_offsets(
    broadcasts, django_capture_on_commit_callbacks
):
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from tidewire.publish import publish_all
    from tidewire.streams import stream_offset, stream_read

    with transaction.atomic():
        publish(topic="twtest.open.1", event=PING, n=0)
    with (
        django_capture_on_commit_callbacks(execute=True),
        CaptureQueriesContext(connection) as queries,
        transaction.atomic(),
    ):
        publish_all(
            [
                ("twtest.open.2", PING, {"n": 1}),
                ("twtest.open.1", PING, {"n": 2}),
                ("twtest.open.2", PING, {"n": 3}),
            ]
        )
    [stored] = broadcasts.calls[-1:]  # one send to the layer for the three, in order
    statements = [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len([s for s in statements if s.startswith("INSERT")]) == 2
    assert [(e.topic, e.offset) for e in stored] == [
        ("twtest.open.2", 1),
        ("twtest.open.1", 2),
        ("twtest.open.2", 2),
    ]
    assert stream_offset(topic="twtest.open.2") == 2
    assert [e.offset for e in stream_read(topic="twtest.open.1", after=0)] == [1, 2]


def test_together_writes_what_its_services_publish_in_two_statements_and_one_send(
    broadcasts, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tidewire.publish import publish_all, together
    from tidewire.streams import stream_read

    with (
        django_capture_on_commit_callbacks(execute=True),
        CaptureQueriesContext(connection) as queries,
        transaction.atomic(),
        together(),
    ):
        publish_all([("twtest.open.3", PING, {"n": 1}), ("twtest.open.4", PING, {"n": 2})])
        with together():  # a service that groups its own: the outer block writes
            publish_all([("twtest.open.3", PING, {"n": 3})])
        assert not any(q["sql"].startswith("INSERT") for q in queries)  # not yet written
    inserts = [q["sql"] for q in queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 2
    [sent] = broadcasts.calls
    assert [(e.topic, e.offset, orjson.loads(e.body)["n"]) for e in sent] == [
        ("twtest.open.3", 1, 1),
        ("twtest.open.4", 1, 2),
        ("twtest.open.3", 2, 3),
    ]
    assert [e.offset for e in stream_read(topic="twtest.open.3", after=0)] == [1, 2]


def test_a_publish_inside_together_comes_after_what_was_collected(
    broadcasts, django_capture_on_commit_callbacks
):
    from tidewire.publish import publish_all, together

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic(), together():
        publish_all([("twtest.open.5", PING, {"n": 1})])
        stored = publish(topic="twtest.open.5", event=PING, n=2)  # its offset known at once
        publish_all([("twtest.open.5", PING, {"n": 3})])
    assert stored.offset == 2
    assert [[e.offset for e in call] for call in broadcasts.calls] == [[1], [2], [3]]


def test_together_writes_nothing_when_its_block_fails(broadcasts):
    from tidewire.publish import publish_all, together
    from tidewire.streams import stream_offset

    with pytest.raises(ValueError), transaction.atomic(), together():
        publish_all([("twtest.open.6", PING, {"n": 1})])
        raise ValueError("the change failed")
    with transaction.atomic(), together():
        pass  # and the next block starts empty
    assert stream_offset(topic="twtest.open.6") == 0 and broadcasts == []


def test_publishing_inside_a_savepoint_within_together_raises(
    broadcasts, django_capture_on_commit_callbacks
):
    """The savepoint could roll back alone while the events are written outside it."""
    from tidewire.publish import SavepointInsideTogether, publish_all, together
    from tidewire.streams import stream_read

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic(), together():
        publish_all([("twtest.open.7", PING, {"n": 1})])
        with pytest.raises(SavepointInsideTogether), transaction.atomic():
            publish_all([("twtest.open.7", PING, {"n": 2})])
        with pytest.raises(SavepointInsideTogether), transaction.atomic():
            publish(topic="twtest.open.7", event=PING, n=2)
        with transaction.atomic(savepoint=False):  # part of the change: collected
            publish_all([("twtest.open.7", PING, {"n": 3})])
    written = [orjson.loads(e.body)["n"] for e in stream_read(topic="twtest.open.7", after=0)]
    assert written == [1, 3]
    assert [orjson.loads(e.body)["n"] for e in broadcasts] == [1, 3]


def test_together_outside_a_transaction_raises():
    from tidewire.publish import together

    with pytest.raises(OutsideTransaction), together():
        pass


def test_publish_all_outside_a_transaction_raises():
    from tidewire.publish import OutsideTransaction, publish_all

    with pytest.raises(OutsideTransaction):
        publish_all([("twtest.open.1", PING, {"n": 1})])
