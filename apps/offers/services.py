"""Writes of offers: propose, the moves of the state machine (machine.py), and expiry.

Every change stores an `offer` event in the buyer's conversation about the
listing and notifies the other side, in the same transaction. Every write locks
the listing's row first, then the offer's: two moves on one listing (accept
against withdraw, two accepts) run one after the other, so they cannot both
win, and the fixed order cannot deadlock.

Accepting an offer reserves the listing (listings.services.listing_update: its
`listing_updated` event, and the chat's "Reserved for ..." line in every
conversation about it) and declines every other open offer on it: the seller
has chosen, and an offer left open on a reserved listing could not be accepted.
A listing the seller marks reserved or sold by hand leaves its open offers
open: they can be withdrawn or declined, not accepted or countered, and expire.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.chat.services import conversation_open
from apps.chat.system_lines import euros
from apps.chat.topics import conversation_topic
from apps.listings.models import Listing
from apps.listings.services import _price as listing_price
from apps.listings.services import listing_update
from apps.moderation.selectors import blocked_between
from apps.notifications.services import notify
from tidewire.conf import tidewire_setting
from tidewire.publish import publish

from . import selectors
from .events import OFFER, offer_snapshot
from .kinds import OFFER_MOVE
from .machine import ACCEPT, COUNTER, DECLINE, WITHDRAW, IllegalMove, next_status
from .models import OPEN_STATUSES, Offer

Status, Side = Offer.Status, Offer.Side
SUBJECT = "offer"  # notifications' subject type


class OfferBlocked(Exception):
    """The buyer and the seller are blocked (either way): no offer or move that goes on
    with the deal passes between them (API: 403). Declining and withdrawing still do."""


# Moves that end a negotiation: allowed between a blocked pair (nothing new is proposed).
CLOSING_MOVES = frozenset({DECLINE, WITHDRAW})


def _check_not_blocked(buyer_id: int, seller_id: int) -> None:
    if blocked_between(buyer_id, seller_id):
        raise OfferBlocked("Offers cannot pass between you: one of you blocked the other.")


class OfferError(ValueError):
    """Input refused (API: 400); `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def offer_ttl() -> timedelta:
    """How long an offer waits for an answer after each move (TIDEWIRE_OFFER_TTL_HOURS)."""
    return timedelta(hours=tidewire_setting("OFFER_TTL_HOURS"))


def clean_amount(value: Any) -> Decimal:
    """An amount as stored: more than 0, at most a listing's price cap, two decimals."""
    try:
        amount = listing_price(value)
    except ValueError as error:
        raise OfferError("amount", f"amount {error}") from None
    if amount <= 0:
        raise OfferError("amount", "amount must be more than 0.")
    return amount


def _locked_listing(listing_id: int) -> Listing:
    return (
        Listing.objects.select_related("seller").select_for_update(of=("self",)).get(pk=listing_id)
    )


def _announce(offer: Offer, *, recipients: list[int], text: str) -> None:
    """The offer's state in its conversation, and a notification to each recipient."""
    publish(
        topic=conversation_topic(offer.conversation_id), event=OFFER, offer=offer_snapshot(offer)
    )
    for recipient_id in recipients:
        notify(
            recipient_id=recipient_id,
            kind=OFFER_MOVE.name,
            message=text,
            link=f"/chat/{offer.conversation_id}/",
            subject=(SUBJECT, offer.pk),
            dedupe_key=f"{SUBJECT}:{offer.pk}:{offer.version}",
        )


def _close(offer: Offer, status: str, *, recipients: list[int], text: str) -> None:
    offer.status, offer.turn = status, ""
    offer.version += 1
    offer.save(update_fields=["status", "turn", "version", "updated_at"])
    _announce(offer, recipients=recipients, text=text)


def _expire(offer: Offer) -> None:
    """Both sides are told: neither made this move."""
    text = f"The offer of {euros(offer.amount)} for {offer.listing.title} expired."
    _close(offer, Status.EXPIRED, recipients=[offer.buyer_id, offer.listing.seller_id], text=text)


def offer_propose(*, listing_id: int, buyer: Any, amount: Any) -> Offer:
    """A buyer's offer on a listing, in their conversation about it (opened if need be).

    Raises OfferError for a bad amount, Listing.DoesNotExist, or IllegalMove: the
    seller's own listing, a listing not available, an open offer already there.
    """
    amount = clean_amount(amount)
    try:
        with transaction.atomic():
            listing = _locked_listing(listing_id)
            if listing.seller_id == buyer.pk:
                raise IllegalMove("own_listing", "You cannot make an offer on your own listing.")
            _check_not_blocked(buyer.pk, listing.seller_id)
            if listing.status != Listing.Status.AVAILABLE:
                raise IllegalMove(
                    f"listing_{listing.status}", f"The listing is {listing.status}: no offers."
                )
            now = timezone.now()
            earlier = (
                Offer.objects.select_for_update()
                .filter(listing=listing, buyer_id=buyer.pk, status__in=OPEN_STATUSES)
                .first()
            )
            if earlier is not None:
                if earlier.expires_at > now:
                    raise _already_open(earlier)
                earlier.listing = listing
                _expire(earlier)  # the job had not come yet
            conversation, _ = conversation_open(listing_id=listing.pk, buyer=buyer)
            offer = Offer.objects.create(
                listing=listing,
                buyer=buyer,
                conversation=conversation,
                amount=amount,
                turn=Side.SELLER,
                expires_at=now + offer_ttl(),
            )
            text = f"{buyer.get_username()} offered {euros(amount)} for {listing.title}."
            _announce(offer, recipients=[listing.seller_id], text=text)
    except IntegrityError:  # the same buyer's second offer raced in (one_open_offer_per_buyer)
        earlier = Offer.objects.filter(
            listing_id=listing_id, buyer_id=buyer.pk, status__in=OPEN_STATUSES
        ).first()
        if earlier is None:
            raise
        raise _already_open(earlier) from None
    return offer


def _already_open(offer: Offer) -> IllegalMove:
    return IllegalMove(
        "open_offer",
        f"You already have an open offer on this listing (offer {offer.pk}): "
        "withdraw it or wait for the answer.",
    )


def offer_move(*, offer_id: int, user: Any, action: str, amount: Any = None) -> Offer:
    """Make a move (accept, decline, counter with `amount`, withdraw) on an offer.

    Raises Offer.DoesNotExist for an offer the user may not see, OfferError for
    a bad counter amount, IllegalMove for a move the rules refuse. An offer past
    its expiry is marked expired here (committed) and the move refused as
    "expired", whether or not the job came first.
    """
    if action == COUNTER:
        amount = clean_amount(amount)
    listing_id = selectors.offer_for(user_id=user.pk, offer_id=offer_id).listing_id
    refused = None
    with transaction.atomic():
        listing = _locked_listing(listing_id)
        offer = Offer.objects.select_for_update().get(pk=offer_id)
        offer.listing = listing
        if action not in CLOSING_MOVES:
            _check_not_blocked(offer.buyer_id, listing.seller_id)
        side = Side.BUYER if user.pk == offer.buyer_id else Side.SELLER
        now = timezone.now()
        try:
            status = next_status(
                status=offer.status,
                turn=offer.turn,
                counters=offer.counters,
                action=action,
                side=side,
                expired=offer.is_open and offer.expires_at <= now,
            )
        except IllegalMove as error:
            if error.reason != "expired":
                raise
            _expire(offer)
            refused = error
        else:
            _apply(offer, user=user, side=side, action=action, status=status, amount=amount)
    if refused is not None:
        raise refused
    return offer


def _apply(offer: Offer, *, user: Any, side: str, action: str, status: str, amount: Any) -> None:
    listing = offer.listing
    if action in (ACCEPT, COUNTER) and listing.status != Listing.Status.AVAILABLE:
        raise IllegalMove("listing_unavailable", f"The listing is {listing.status} now.")
    other = listing.seller_id if side == Side.BUYER else offer.buyer_id
    name, title = user.get_username(), listing.title
    if action == COUNTER:
        offer.amount, offer.counters, offer.status = amount, offer.counters + 1, status
        offer.turn = Side.SELLER if side == Side.BUYER else Side.BUYER
        offer.expires_at = timezone.now() + offer_ttl()
        offer.version += 1
        offer.save()
        text = f"{name} countered with {euros(amount)} for {title}."
        _announce(offer, recipients=[other], text=text)
        return
    past = {"accept": "accepted", "decline": "declined", "withdraw": "withdrew"}[action]
    text = f"{name} {past} the offer of {euros(offer.amount)} for {title}."
    _close(offer, status, recipients=[other], text=text)
    if action == ACCEPT:
        _decline_the_others(offer)
        listing_update(
            listing_id=listing.pk,
            changes={"status": Listing.Status.RESERVED},
            buyer_id=offer.buyer_id,
        )


def _decline_the_others(accepted: Offer) -> None:
    """Every other open offer on the listing: declined, its buyer told why."""
    listing = accepted.listing
    others = Offer.objects.select_for_update().filter(listing=listing, status__in=OPEN_STATUSES)
    for offer in others.exclude(pk=accepted.pk).order_by("pk"):
        offer.listing = listing
        text = (
            f"{listing.title} was reserved for another buyer: "
            f"your offer of {euros(offer.amount)} was declined."
        )
        _close(offer, Status.DECLINED, recipients=[offer.buyer_id], text=text)


def offers_expire() -> int:
    """Mark every open offer past its expiry expired (each announced); how many were."""
    now = timezone.now()
    due = Offer.objects.filter(status__in=OPEN_STATUSES, expires_at__lte=now)
    expired = 0
    for offer_id, listing_id in due.values_list("pk", "listing_id").order_by("pk"):
        with transaction.atomic():  # one offer at a time, locked in the writers' order
            listing = _locked_listing(listing_id)
            offer = Offer.objects.select_for_update().get(pk=offer_id)
            if offer.is_open and offer.expires_at <= now:  # not moved in the meantime
                offer.listing = listing
                _expire(offer)
                expired += 1
    return expired
