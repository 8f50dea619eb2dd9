import pytest

from tidewire.events import EventShapeError, EventType, declare, declared

SAMPLE = EventType("sample_event", {"data": {"id": int, "name": str}, "note": (str, type(None))})


def test_body_carries_the_type_and_fields():
    assert SAMPLE.body(data={"id": 1, "name": "a"}, note=None) == {
        "type": "sample_event",
        "data": {"id": 1, "name": "a"},
        "note": None,
    }


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"data": {"id": 1, "name": "a"}}, "missing"),
        ({"data": {"id": 1, "name": "a"}, "note": None, "extra": 1}, "unknown"),
        ({"data": {"id": "1", "name": "a"}, "note": None}, "sample_event.data.id"),
        ({"data": [], "note": None}, "must be an object"),
    ],
)
def test_body_refuses_shapes_that_do_not_match(fields, problem):
    with pytest.raises(EventShapeError, match=problem):
        SAMPLE.body(**fields)


def test_check_refuses_another_type():
    with pytest.raises(EventShapeError, match="expected 'sample_event'"):
        SAMPLE.check({"type": "other", "data": {"id": 1, "name": "a"}, "note": None})


def test_a_name_is_declared_once():
    declare("test_declared_once", value=int)
    assert "test_declared_once" in declared()
    with pytest.raises(ValueError, match="declared twice"):
        declare("test_declared_once", value=int)
