"""Offer writes: propose and every move, their events and notifications, expiry, the rules."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from apps.chat.models import Conversation, Message
from apps.chat.topics import conversation_topic
from apps.listings.models import Listing
from apps.listings.services import listing_update
from apps.notifications.models import Notification
from apps.notifications.topics import notifications_topic
from apps.offers import services
from apps.offers.events import offer_snapshot
from apps.offers.machine import IllegalMove
from apps.offers.models import Offer
from tidewire.streams import stream_offset
from tidewire.testing.events import events_after

pytestmark = pytest.mark.django_db

HOUR = 3600


def move(offer, user, action, amount=None):
    return services.offer_move(offer_id=offer.pk, user=user, action=action, amount=amount)


def refused(reason, call, *args, **kwargs):
    with pytest.raises(IllegalMove) as error:
        call(*args, **kwargs)
    assert error.value.reason == reason, error.value.message
    return error.value.message


def offer_events(conversation_id, since=0):
    return [
        e for e in events_after(conversation_topic(conversation_id), since) if e["type"] == "offer"
    ]


def notes(user, since=0):
    return [e["notification"] for e in events_after(notifications_topic(user.pk), since)]


def test_an_offer_opens_the_conversation_and_tells_the_seller(clock, listing, buyer, seller):
    offer = services.offer_propose(listing_id=listing.pk, buyer=buyer, amount="80")
    conversation = Conversation.objects.get(listing=listing, buyer=buyer)
    assert (offer.conversation_id, offer.status, offer.turn) == (
        conversation.pk,
        "pending",
        "seller",
    )
    assert offer.expires_at == clock.now() + services.offer_ttl()
    [event] = offer_events(conversation.pk)
    assert event["offer"] == {
        "id": offer.pk,
        "listing": listing.pk,
        "buyer": buyer.pk,
        "seller": seller.pk,
        "conversation": conversation.pk,
        "amount": "80.00",
        "status": "pending",
        "counters": 0,
        "counters_left": 3,
        "turn": "seller",
        "version": 1,
        "expires_at": event["offer"]["expires_at"],
        "created_at": event["offer"]["created_at"],
        "updated_at": event["offer"]["updated_at"],
    }
    [note] = notes(seller)
    assert (note["kind"], note["message"]) == ("offer", "bea offered €80 for Laptop.")
    assert note["link"] == f"/chat/{conversation.pk}/"
    assert notes(buyer) == []


def test_counter_back_and_forth_then_accept(clock, offer, listing, buyer, seller):
    since = stream_offset(topic=conversation_topic(offer.conversation_id))
    clock.advance(HOUR)
    countered = move(offer, seller, "counter", "95")
    assert (countered.status, countered.turn, countered.counters) == ("countered", "buyer", 1)
    assert countered.amount == Decimal("95.00")
    assert countered.expires_at == clock.now() + services.offer_ttl()  # each move restarts it
    back = move(offer, buyer, "counter", "88.50")
    assert (back.turn, back.counters, back.version) == ("seller", 2, 3)
    accepted = move(offer, seller, "accept")
    assert (accepted.status, accepted.turn, accepted.amount) == ("accepted", "", Decimal("88.50"))
    events = offer_events(offer.conversation_id, since)
    assert [(e["offer"]["status"], e["offer"]["amount"], e["offer"]["turn"]) for e in events] == [
        ("countered", "95.00", "buyer"),
        ("countered", "88.50", "seller"),
        ("accepted", "88.50", None),
    ]
    assert [n["message"] for n in notes(buyer)] == [
        "sam countered with €95 for Laptop.",
        "sam accepted the offer of €88.50 for Laptop.",
    ]
    assert [n["message"] for n in notes(seller)][1:] == ["bea countered with €88.50 for Laptop."]
    assert Listing.objects.get(pk=listing.pk).status == "reserved"


def test_the_buyer_may_accept_the_sellers_counter(offer, buyer, seller):
    move(offer, seller, "counter", "90")
    assert move(offer, buyer, "accept").status == "accepted"
    [*_, note] = notes(seller)
    assert note["message"] == "bea accepted the offer of €90 for Laptop."


@pytest.mark.parametrize(
    ("who", "action", "status"),
    [("seller", "decline", "declined"), ("buyer", "withdraw", "withdrawn")],
)
def test_decline_and_withdraw_close_the_offer_and_tell_the_other(
    offer, buyer, seller, who, action, status
):
    mover, other = (seller, buyer) if who == "seller" else (buyer, seller)
    closed = move(offer, mover, action)
    assert (closed.status, closed.turn) == (status, "")
    [*_, event] = offer_events(offer.conversation_id)
    assert event["offer"]["status"] == status
    [*_, note] = notes(other)
    assert note["message"].startswith(
        f"{mover.username} {'declined' if action == 'decline' else 'withdrew'}"
    )
    refused("closed", move, offer, mover, action)
    assert Listing.objects.get(pk=offer.listing_id).status == "available"


def test_the_buyer_may_withdraw_whoever_must_answer(offer, buyer, seller):
    move(offer, seller, "counter", "95")
    assert move(offer, buyer, "withdraw").status == "withdrawn"


def test_a_fourth_counter_is_refused(offer, buyer, seller):
    move(offer, seller, "counter", "95")
    move(offer, buyer, "counter", "85")
    move(offer, seller, "counter", "90")
    message = refused("no_counters_left", move, offer, buyer, "counter", "87")
    assert "at most 3" in message
    assert Offer.objects.get(pk=offer.pk).amount == Decimal("90.00")
    assert move(offer, buyer, "accept").status == "accepted"  # a yes or no still is


def test_moves_out_of_turn_are_refused(offer, buyer, seller):
    refused("not_your_turn", move, offer, buyer, "accept")
    refused("not_your_turn", move, offer, buyer, "counter", "70")
    refused("buyer_only", move, offer, seller, "withdraw")
    move(offer, seller, "counter", "95")
    refused("not_your_turn", move, offer, seller, "accept")


def test_a_seller_cannot_offer_on_their_own_listing(listing, seller):
    assert "own listing" in refused(
        "own_listing", services.offer_propose, listing_id=listing.pk, buyer=seller, amount="10"
    )
    assert not Offer.objects.exists()


@pytest.mark.parametrize("status", ["sold", "reserved"])
def test_a_listing_that_is_not_available_takes_no_offers(listing, buyer, status):
    listing_update(listing_id=listing.pk, changes={"status": status})
    refused(
        f"listing_{status}", services.offer_propose, listing_id=listing.pk, buyer=buyer, amount="10"
    )


def test_a_listing_reserved_meanwhile_takes_no_accept_or_counter(offer, buyer, seller):
    listing_update(listing_id=offer.listing_id, changes={"status": "sold"})
    refused("listing_unavailable", move, offer, seller, "accept")
    refused("listing_unavailable", move, offer, seller, "counter", "90")
    assert move(offer, buyer, "withdraw").status == "withdrawn"


@pytest.mark.parametrize("amount", ["0", "-5", "1.005", "abc", 12.5, None, "100000000"])
def test_bad_amounts_are_refused_naming_amount(listing, buyer, amount):
    with pytest.raises(services.OfferError) as error:
        services.offer_propose(listing_id=listing.pk, buyer=buyer, amount=amount)
    assert error.value.field == "amount"


def test_one_open_offer_per_buyer_and_listing(offer, listing, buyer, rival):
    refused("open_offer", services.offer_propose, listing_id=listing.pk, buyer=buyer, amount="85")
    assert (
        services.offer_propose(listing_id=listing.pk, buyer=rival, amount="85").status == "pending"
    )
    move(offer, buyer, "withdraw")
    assert (
        services.offer_propose(listing_id=listing.pk, buyer=buyer, amount="85").status == "pending"
    )


def test_the_database_refuses_a_second_open_offer(offer):
    second = Offer(
        listing_id=offer.listing_id,
        buyer_id=offer.buyer_id,
        conversation_id=offer.conversation_id,
        amount=1,
        turn="seller",
        expires_at=offer.expires_at,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()
    Offer.objects.filter(pk=offer.pk).update(status="declined", turn="")
    second.save()  # closed offers do not count


def test_an_offer_past_its_expiry_refuses_every_move_and_is_marked_expired(
    clock, offer, buyer, seller
):
    clock.advance(48 * HOUR - 1)
    move(offer, seller, "counter", "95")  # just in time; its answer has 48 h again
    clock.advance(48 * HOUR)
    since = stream_offset(topic=conversation_topic(offer.conversation_id))
    assert "expired" in refused("expired", move, offer, buyer, "accept")
    assert Offer.objects.get(pk=offer.pk).status == "expired"  # committed, though refused
    [event] = offer_events(offer.conversation_id, since)
    assert event["offer"]["status"] == "expired"
    assert (
        notes(buyer)[-1]["message"]
        == notes(seller)[-1]["message"]
        == "The offer of €95 for Laptop expired."
    )
    refused("closed", move, offer, buyer, "accept")


def test_the_ttl_setting_is_read_in_hours(clock, listing, buyer, settings):
    settings.TIDEWIRE = {**settings.TIDEWIRE, "OFFER_TTL_HOURS": 2}
    offer = services.offer_propose(listing_id=listing.pk, buyer=buyer, amount="80")
    assert offer.expires_at == clock.now() + services.offer_ttl()
    assert services.offer_ttl().total_seconds() == 2 * HOUR


def test_the_job_expires_what_is_due_once(clock, offer, listing, rival):
    clock.advance(47 * HOUR)
    fresh_later = services.offer_propose(listing_id=listing.pk, buyer=rival, amount="70")
    clock.advance(HOUR)
    assert services.offers_expire() == 1
    assert Offer.objects.get(pk=offer.pk).status == "expired"
    assert Offer.objects.get(pk=fresh_later.pk).status == "pending"
    assert services.offers_expire() == 0
    assert len(offer_events(offer.conversation_id)) == 2  # proposed, expired


def test_an_expired_open_offer_does_not_block_a_new_one(clock, offer, listing, buyer):
    clock.advance(49 * HOUR)
    again = services.offer_propose(listing_id=listing.pk, buyer=buyer, amount="82")
    assert Offer.objects.get(pk=offer.pk).status == "expired"
    assert (again.status, again.conversation_id) == ("pending", offer.conversation_id)


def test_accepting_reserves_the_listing_and_declines_the_other_open_offers(
    offer, listing, buyer, rival, stranger, seller
):
    other = services.offer_propose(listing_id=listing.pk, buyer=rival, amount="70")
    services.offer_propose(listing_id=listing.pk, buyer=stranger, amount="60")
    move(Offer.objects.get(buyer=stranger), stranger, "withdraw")
    since = {
        o.conversation_id: stream_offset(topic=conversation_topic(o.conversation_id))
        for o in Offer.objects.all()
    }
    move(offer, seller, "accept")
    statuses = dict(Offer.objects.values_list("buyer__username", "status"))
    assert statuses == {"bea": "accepted", "rob": "declined", "stan": "withdrawn"}
    # rob's room: his offer declined, then the listing's line; bea's: accepted, then hers.
    rob_room = events_after(conversation_topic(other.conversation_id), since[other.conversation_id])
    assert [
        (e["type"], e.get("offer", {}).get("status") or e["message"]["body"]) for e in rob_room
    ] == [
        ("offer", "declined"),
        ("message", "Reserved for another buyer"),
    ]
    bea_room = events_after(conversation_topic(offer.conversation_id), since[offer.conversation_id])
    assert [
        (e["type"], e.get("offer", {}).get("status") or e["message"]["body"]) for e in bea_room
    ] == [
        ("offer", "accepted"),
        ("message", "Reserved for bea"),
    ]
    assert (
        notes(rival)[-1]["message"]
        == "Laptop was reserved for another buyer: your offer of €70 was declined."
    )
    assert Listing.objects.get(pk=listing.pk).status == "reserved"
    refused("closed", move, other, seller, "accept")


def test_notifications_are_exactly_one_per_move_to_the_other_side(offer, buyer, seller):
    move(offer, seller, "counter", "95")
    move(offer, buyer, "accept")
    assert (
        Notification.objects.filter(kind="offer", recipient=seller).count() == 2
    )  # offered, accepted
    assert Notification.objects.filter(kind="offer", recipient=buyer).count() == 1  # countered


def test_strangers_cannot_move_an_offer(offer, stranger):
    with pytest.raises(Offer.DoesNotExist):
        move(offer, stranger, "accept")


def test_the_snapshot_matches_the_stored_offer(offer):
    [event] = offer_events(offer.conversation_id)
    assert event["offer"] == offer_snapshot(
        Offer.objects.select_related("listing").get(pk=offer.pk)
    )
    assert (
        Message.objects.filter(conversation_id=offer.conversation_id).count() == 0
    )  # a card, not a line
