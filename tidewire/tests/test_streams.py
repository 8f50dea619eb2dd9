import threading

import pytest
from django.db import close_old_connections, connection, transaction

from tidewire.models import Event
from tidewire.streams import stream_append, stream_offset, stream_read

pytestmark = pytest.mark.django_db


def test_offsets_grow_by_one_per_topic():
    with transaction.atomic():
        a1 = stream_append(topic="t.a", event_type="x", body="{}")
        b1 = stream_append(topic="t.b", event_type="x", body="{}")
        a2 = stream_append(topic="t.a", event_type="x", body="{}")
    assert (a1.offset, a2.offset, b1.offset) == (1, 2, 1)
    assert stream_offset(topic="t.a") == 2
    assert stream_offset(topic="t.none") == 0


def test_read_returns_events_after_an_offset_in_order():
    with transaction.atomic():
        for n in range(5):
            stream_append(topic="t.r", event_type="x", body=f'{{"n":{n}}}')
    events = stream_read(topic="t.r", after=2)
    assert [e.offset for e in events] == [3, 4, 5]
    assert events[0].body == '{"n":2}'
    assert [e.offset for e in stream_read(topic="t.r", after=0, limit=2)] == [1, 2]


def test_rollback_takes_the_offset_back_with_the_event():
    with pytest.raises(RuntimeError), transaction.atomic():
        stream_append(topic="t.rb", event_type="x", body="{}")
        raise RuntimeError
    assert stream_offset(topic="t.rb") == 0
    assert not Event.objects.filter(topic="t.rb").exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_share_an_offset():
    """Eight threads, each its own connection and transaction, on one topic (both databases:
    PostgreSQL's row lock on the topic's counter, SQLite's IMMEDIATE write lock)."""
    errors = []

    def write():
        try:
            for _ in range(10):
                with transaction.atomic():
                    stream_append(topic="t.race", event_type="x", body="{}")
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    offsets = sorted(Event.objects.filter(topic="t.race").values_list("offset", flat=True))
    assert offsets == list(range(1, 81))
    assert stream_offset(topic="t.race") == 80
