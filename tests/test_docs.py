"""The event catalogue in docs/ lists every declared event type and field."""

from collections.abc import Mapping
from pathlib import Path

from tidewire.events import declared

CATALOGUE = Path(__file__).resolve().parent.parent / "docs" / "events.md"


def field_paths(spec, prefix=""):
    for name, kind in spec.items():
        path = f"{prefix}{name}"
        if isinstance(kind, Mapping):
            yield from field_paths(kind, f"{path}.")
        else:
            yield path


def test_every_declared_event_and_field_is_in_the_catalogue():
    text = CATALOGUE.read_text()
    for name, event_type in declared().items():
        if name.startswith("test_"):
            continue  # declared by the core's own tests
        assert f"## `{name}`" in text, f"docs/events.md lacks a section for {name}"
        for path in field_paths(event_type.fields):
            assert f"`{path}`" in text, f"docs/events.md lacks {name} field {path}"
