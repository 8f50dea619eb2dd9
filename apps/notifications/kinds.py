"""Kinds of notification: each app registers its own, once, with what a user may turn off."""

from __future__ import annotations

from dataclasses import dataclass

from .models import Channel


class UnknownKind(ValueError):
    """A kind nobody registered."""


@dataclass(frozen=True)
class Kind:
    """One kind of notification.

    `essential` kinds (a reservation confirmation) always go out on every channel
    they use: a preference cannot turn them off. `channels` are those the kind
    uses at all (a kind without "email" never sends one).
    """

    name: str
    label: str
    essential: bool = False
    channels: tuple[str, ...] = (Channel.IN_APP, Channel.EMAIL)


_KINDS: dict[str, Kind] = {}


def register_kind(
    name: str,
    label: str,
    *,
    essential: bool = False,
    channels: tuple[str, ...] = (Channel.IN_APP, Channel.EMAIL),
) -> Kind:
    """Declare a kind (at import of the app's module that notifies)."""
    if name in _KINDS:
        raise ValueError(f"notification kind {name!r} is registered twice")
    kind = Kind(name=name, label=label, essential=essential, channels=tuple(channels))
    _KINDS[name] = kind
    return kind


def get_kind(name: str) -> Kind:
    try:
        return _KINDS[name]
    except KeyError:
        raise UnknownKind(f"unknown notification kind {name!r}") from None


def all_kinds() -> list[Kind]:
    return sorted(_KINDS.values(), key=lambda kind: kind.name)
