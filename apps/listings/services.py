"""Writes to listings; each stores its event, on the listings topic and the listing's own, in
the same transaction.

Other apps follow updates through `on_listing_updated` (the chat posts "Sold" in
every conversation about the listing): a registry, so listings import no app
that builds on them and the dependency stays one-way (chat -> listings).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from tidewire.events import EventType
from tidewire.publish import publish
from tidewire.text import clean_fields, clean_line, clean_text

from .events import LISTING_CREATED, LISTING_DELETED, LISTING_UPDATED, listing_snapshot
from .models import DESCRIPTION_MAX_LENGTH, PRICE_MAX, TITLE_MAX_LENGTH, Listing
from .topics import LISTINGS_TOPIC, listing_topic

EDITABLE_FIELDS = ("title", "description", "price", "status")
CENT = Decimal("0.01")


def _title(value: Any) -> str:
    return clean_line(value, max_length=TITLE_MAX_LENGTH)


def _description(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    text = clean_text(value, multiline=True)
    if len(text) > DESCRIPTION_MAX_LENGTH:
        raise ValueError(f"has more than {DESCRIPTION_MAX_LENGTH} characters")
    return text


def _price(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise ValueError("must be a decimal number")  # a float would carry binary noise
    try:
        price = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"is not a number: {value!r}") from None
    if not price.is_finite():
        raise ValueError("must be a finite number")
    if price < 0:
        raise ValueError("may not be negative")
    if price > PRICE_MAX:
        raise ValueError(f"may not exceed {PRICE_MAX}")
    if price != price.quantize(CENT):
        raise ValueError("has more than two decimal places")
    return price.quantize(CENT)


def _status(value: Any) -> str:
    if value not in Listing.Status.values:
        raise ValueError(f"must be one of {', '.join(Listing.Status.values)}")
    return value


_CLEANERS: dict[str, Callable[[Any], Any]] = {
    "title": _title,
    "description": _description,
    "price": _price,
    "status": _status,
}


@dataclass(frozen=True)
class ListingChange:
    """What one `listing_update` changed: the listing as saved and the old values by field."""

    listing: Listing
    before: dict[str, Any]
    buyer_id: int | None = None  # who it is reserved or sold to, when the caller knows


_UPDATE_HOOKS: list[Callable[[ListingChange], None]] = []


def on_listing_updated(hook: Callable[[ListingChange], None]) -> None:
    """Call `hook(change)` after every update that changed something, in its transaction.

    A hook writes with the update (its events commit or roll back with it);
    an exception it raises undoes the update.
    """
    if hook not in _UPDATE_HOOKS:
        _UPDATE_HOOKS.append(hook)


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """Values as stored; ValueError naming the field for anything a listing may not hold.

    The API and the admin refuse these first, with messages for the user; this is
    for every other caller (shell, commands, demo, other apps), so none stores one.
    """
    return clean_fields(values, _CLEANERS)


def _emit(listing: Listing, event: EventType) -> None:
    """The event on both topics: the browse page follows all, a conversation its one listing."""
    snapshot = listing_snapshot(listing)
    for topic in (LISTINGS_TOPIC, listing_topic(listing.pk)):
        publish(topic=topic, event=event, listing=snapshot)


def _locked(listing_id: int) -> Listing:
    # of=("self",): lock the listing's row, not its seller's (which select_related joins).
    return (
        Listing.objects.select_related("seller").select_for_update(of=("self",)).get(pk=listing_id)
    )


def listing_create(
    *,
    seller: AbstractBaseUser,
    title: str,
    description: str = "",
    price: Decimal | int | str,
    status: str = Listing.Status.AVAILABLE,
) -> Listing:
    """Put a listing up for sale and announce it (ValueError naming a field it refuses)."""
    values = _clean({"title": title, "description": description, "price": price, "status": status})
    with transaction.atomic():
        listing = Listing.objects.create(seller=seller, **values)
        _emit(listing, LISTING_CREATED)
    return listing


def listing_update(
    *, listing_id: int, changes: dict[str, Any], buyer_id: int | None = None
) -> Listing:
    """Change title, description, price or status and announce the new state.

    `buyer_id`: the buyer a status change reserves or sells the listing to, if
    known (an accepted offer), for the hooks. Raises Listing.DoesNotExist, or
    ValueError for a field that is not editable or a value it refuses (nothing is
    written then). Changes that change nothing write nothing and announce nothing.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    changes = _clean(changes)
    with transaction.atomic():
        listing = _locked(listing_id)
        changed = [field for field, value in changes.items() if getattr(listing, field) != value]
        if not changed:
            return listing
        before = {field: getattr(listing, field) for field in changed}
        for field in changed:
            setattr(listing, field, changes[field])
        listing.save(update_fields=[*changed, "updated_at"])
        _emit(listing, LISTING_UPDATED)
        change = ListingChange(listing=listing, before=before, buyer_id=buyer_id)
        for hook in _UPDATE_HOOKS:
            hook(change)
    return listing


def listing_delete(*, listing_id: int) -> None:
    """Delete a listing (and, by cascade, its conversations) and announce its last state."""
    with transaction.atomic():
        listing = _locked(listing_id)
        _emit(listing, LISTING_DELETED)
        listing.delete()
