"""One-click unsubscribe (RFC 8058): a signed link per user and kind that needs no login.

The token names the user and the kind, signed with SECRET_KEY under a salt of
its own (a token made for anything else does not verify here). It carries no
time: the same user and kind always make the same link, and a link in an old
email still works.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from apps.notifications.kinds import get_kind

SALT = "tidewire.mailing.unsubscribe"


class BadToken(ValueError):
    """A token that was tampered with, cut short, or made for something else."""


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    return signing.Signer(salt=SALT).sign_object([user_id, kind])


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """(user id, kind) from a token; BadToken if it does not verify."""
    try:
        user_id, kind = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        raise BadToken("This unsubscribe link is not valid.") from None
    if not isinstance(user_id, int) or not isinstance(kind, str):
        raise BadToken("This unsubscribe link is not valid.")
    return user_id, kind


def unsubscribe_url(*, user_id: int, kind: str) -> str | None:
    """The absolute unsubscribe link; None for an essential kind (it cannot be turned off)."""
    if get_kind(kind).essential:
        return None
    path = reverse("mailing:unsubscribe", args=[unsubscribe_token(user_id=user_id, kind=kind)])
    return f"{settings.SITE_URL}{path}"


def unsubscribe_headers(*, user_id: int, kind: str) -> dict[str, str]:
    """List-Unsubscribe and List-Unsubscribe-Post (RFC 8058) for a non-essential kind."""
    url = unsubscribe_url(user_id=user_id, kind=kind)
    if url is None:
        return {}
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
