"""Every event type, declared once with the fields its body carries.

A body is a JSON object whose "type" is the event's name; the declaration lists
the other top-level fields and their JSON types, nested objects as dicts.
Services build bodies through `EventType.body`, and tests check what was sent
against the same declaration, so the catalogue in docs/events.md cannot drift.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Spec = Mapping[str, Any]  # field name -> type, tuple of types, or nested Spec

_REGISTRY: dict[str, EventType] = {}


class EventShapeError(ValueError):
    """A body does not match its event type's declaration."""


@dataclass(frozen=True)
class EventType:
    """One kind of event: its wire name and the shape of its body."""

    name: str
    fields: Spec
    doc: str = ""

    def body(self, **fields: Any) -> dict[str, Any]:
        """Build a body of this type, refusing missing, unknown or mistyped fields."""
        body = {"type": self.name, **fields}
        self.check(body)
        return body

    def check(self, body: Mapping[str, Any]) -> None:
        """Raise EventShapeError unless the body matches this declaration exactly."""
        if body.get("type") != self.name:
            raise EventShapeError(f"type is {body.get('type')!r}, expected {self.name!r}")
        _check_shape(self.name, {k: v for k, v in body.items() if k != "type"}, self.fields)


def _check_shape(path: str, value: Mapping[str, Any], spec: Spec) -> None:
    missing = spec.keys() - value.keys()
    unknown = value.keys() - spec.keys()
    if missing or unknown:
        raise EventShapeError(f"{path}: missing {sorted(missing)}, unknown {sorted(unknown)}")
    for key, kind in spec.items():
        item = value[key]
        if isinstance(kind, Mapping):
            if not isinstance(item, Mapping):
                raise EventShapeError(f"{path}.{key} must be an object")
            _check_shape(f"{path}.{key}", item, kind)
        elif not isinstance(item, kind):
            raise EventShapeError(f"{path}.{key} must be {kind}, got {type(item).__name__}")


def iso_timestamp(value: Any) -> str:
    """A datetime as DRF renders it (ISO 8601, UTC as `Z`), so REST and events agree."""
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def declare(name: str, doc: str = "", **fields: Any) -> EventType:
    """Declare an event type; each name may be declared once."""
    if name in _REGISTRY:
        raise ValueError(f"event type {name!r} is declared twice")
    event_type = EventType(name=name, fields=fields, doc=doc)
    _REGISTRY[name] = event_type
    return event_type


def declared() -> dict[str, EventType]:
    """Every declared event type by name."""
    return dict(_REGISTRY)
