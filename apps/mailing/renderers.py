"""Renderers write an email when it is sent, from the data as it is then.

An app registers one per sort of email, by name; the send job calls it with the
claimed row and the time, and it answers with what to do:

    @register_renderer("chat.missed_messages")
    def missed_messages(email: OutgoingEmail, *, now: datetime) -> Outcome: ...

- `Letter`: send this (subject, text and HTML); `on_sent` runs in the
  transaction that marks the row sent (an app's own "emailed up to" marker).
- `Cancel`: nothing to say any more (the message was read meanwhile).
- `Reschedule`: not yet; look again at `due_at`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template.loader import render_to_string

if TYPE_CHECKING:
    from .models import OutgoingEmail


@dataclass(frozen=True)
class Letter:
    subject: str
    text: str
    html: str
    on_sent: Callable[[], None] | None = None


@dataclass(frozen=True)
class Cancel:
    reason: str


@dataclass(frozen=True)
class Reschedule:
    due_at: datetime


Outcome = Letter | Cancel | Reschedule
Renderer = Callable[["OutgoingEmail"], Outcome]

_RENDERERS: dict[str, Callable[..., Outcome]] = {}


class UnknownRenderer(LookupError):
    """A row names a renderer nobody registered (a typo, or an app removed)."""


def register_renderer(name: str) -> Callable[[Callable[..., Outcome]], Callable[..., Outcome]]:
    """Declare the renderer of one sort of email (at import of the app's emails module)."""

    def declare(function: Callable[..., Outcome]) -> Callable[..., Outcome]:
        if name in _RENDERERS and _RENDERERS[name] is not function:
            raise ValueError(f"email renderer {name!r} is registered twice")
        _RENDERERS[name] = function
        return function

    return declare


def get_renderer(name: str) -> Callable[..., Outcome]:
    try:
        return _RENDERERS[name]
    except KeyError:
        raise UnknownRenderer(f"no email renderer {name!r}") from None


def letter_from_templates(
    template: str,
    email: OutgoingEmail,
    context: dict[str, Any],
    *,
    on_sent: Callable[[], None] | None = None,
) -> Letter:
    """A Letter from `<template>_subject.txt`, `<template>.txt` and `<template>.html`.

    Besides `context`, the templates get `site_url`, `recipient` (None for an email to
    a plain address), and `unsubscribe_url` (empty for essential kinds, which cannot
    be turned off, and for plain addresses).
    Django escapes HTML in every template: the .txt ones turn it off themselves
    (`{% autoescape off %}`), the .html ones keep it.
    """
    from .unsubscribe import unsubscribe_url

    unsubscribe = None
    if email.recipient_id is not None:
        unsubscribe = unsubscribe_url(user_id=email.recipient_id, kind=email.kind)
    context = {
        "site_url": settings.SITE_URL,
        "recipient": email.recipient,
        "unsubscribe_url": unsubscribe or "",
        **context,
    }
    subject = render_to_string(f"{template}_subject.txt", context)
    return Letter(
        subject=" ".join(subject.split()),  # one line: a header cannot hold a newline
        text=render_to_string(f"{template}.txt", context).strip() + "\n",
        html=render_to_string(f"{template}.html", context),
        on_sent=on_sent,
    )
