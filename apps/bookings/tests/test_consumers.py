"""Seed 004's sockets /ws/dashboard/ and /ws/business/<id>/: who may follow them, and what
arrives (the stored bodies, in the seed's envelope). The same topics on /ws/ keep the same rules."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from rest_framework_simplejwt.tokens import AccessToken

from apps.bookings import services
from apps.bookings.topics import DASHBOARD_TOPIC, business_topic
from tidewire import close_codes
from tidewire.testing.events import events_after
from tidewire.testing.sockets import close_frame, open_socket

from .conftest import book

pytestmark = pytest.mark.django_db(transaction=True)


def book_async(business, **values):
    return database_sync_to_async(book)(business, **values)


async def accepted(path, user):
    client, connected, _ = await open_socket(path, user=user)
    assert connected
    return client


async def closed_with(path, **credentials):
    client, _, _ = await open_socket(path, **credentials)
    return (await close_frame(client))["code"]


async def test_a_super_admin_gets_every_change_on_the_dashboard_as_stored(
    any_layer, super_admin, owner
):
    socket = await accepted("/ws/dashboard/", super_admin)
    business = await database_sync_to_async(services.business_create)(
        name="New Salon", subdomain="newsalon", owner=owner
    )
    reservation = await book_async(business)
    created, booked = await socket.frames(2)
    assert created["type"] == "business_created"
    assert set(created) == {"type", "payload", "timestamp"}
    assert created["payload"] == {
        "business": {"id": business.pk, "name": "New Salon", "subdomain": "newsalon"},
        "message": "New business 'New Salon' created",
    }
    assert booked["type"] == "reservation_created"
    assert booked["payload"]["reservation"]["id"] == reservation.pk
    stored = await database_sync_to_async(events_after)(DASHBOARD_TOPIC)
    assert [created, booked] == stored  # the bodies exactly as stored, nothing added
    assert await socket.nothing_more()
    await socket.disconnect()


@pytest.mark.parametrize("path", ["/ws/dashboard/", "/ws/business/{id}/"])
async def test_ping_is_answered_pong(in_memory_layer, super_admin, salon, path):
    socket = await accepted(path.format(id=salon.pk), super_admin)
    await socket.send_frame({"type": "ping"})
    assert await socket.frame() == {"type": "pong"}
    await socket.send_frame({"type": "dance"})
    assert (await socket.frame())["type"] == "error"  # named, and the socket stays open
    await socket.send_frame({"type": "ping"})
    assert await socket.frame() == {"type": "pong"}
    await socket.disconnect()


@pytest.mark.parametrize("path", ["/ws/dashboard/", "/ws/business/{id}/"])
async def test_no_bad_or_expired_token_is_closed_4401(in_memory_layer, super_admin, salon, path):
    path = path.format(id=salon.pk)
    expired = AccessToken.for_user(super_admin)
    expired.set_exp(lifetime=-timedelta(seconds=1))
    assert await closed_with(path) == close_codes.UNAUTHORIZED
    assert await closed_with(path, token="not-a-token") == close_codes.UNAUTHORIZED
    assert await closed_with(path, token=str(expired)) == close_codes.UNAUTHORIZED


async def test_an_owner_is_closed_4403_on_the_dashboard(in_memory_layer, owner, salon):
    assert await closed_with("/ws/dashboard/", user=owner) == close_codes.FORBIDDEN


async def test_an_owner_follows_their_business(any_layer, owner, salon):
    socket = await accepted(f"/ws/business/{salon.pk}/", owner)
    reservation = await book_async(salon)
    await database_sync_to_async(services.reservation_update)(
        reservation_id=reservation.pk, changes={"status": "confirmed"}
    )
    booked, confirmed = await socket.frames(2)
    assert (booked["type"], confirmed["type"]) == ("reservation_created", "reservation_updated")
    assert confirmed["payload"]["reservation"]["status"] == "confirmed"
    assert confirmed["payload"]["message"].startswith("Reservation at 'Olivia's Salon' confirmed")
    await socket.disconnect()


async def test_the_business_socket_sends_reservation_events_only_as_the_brief_names(
    in_memory_layer, owner, salon
):
    """The business's own changes are on its topic too (for /business/ on /ws/), but the
    BRIEF's /ws/business/<id>/ carries reservation_created|_updated|_deleted only."""
    socket = await accepted(f"/ws/business/{salon.pk}/", owner)
    await database_sync_to_async(services.business_update)(
        business_id=salon.pk, changes={"name": "Olivia & Co"}
    )
    await book_async(salon)
    frame = await socket.frame()
    assert frame["type"] == "reservation_created"
    assert frame["payload"]["message"].startswith("New reservation at 'Olivia & Co'")
    stored = await database_sync_to_async(events_after)(business_topic(salon.pk))
    types = [e["type"] for e in stored]
    assert "business_updated" in types  # stored on the topic, not sent here
    await socket.disconnect()


async def test_a_super_admin_follows_any_business(in_memory_layer, super_admin, salon):
    socket = await accepted(f"/ws/business/{salon.pk}/", super_admin)
    await book_async(salon)
    assert (await socket.frame())["type"] == "reservation_created"
    await socket.disconnect()


async def test_an_id_beyond_a_bigint_is_refused_4403_not_crashed(in_memory_layer, super_admin):
    for business_id in ("9" * 19, "9" * 40):
        path = f"/ws/business/{business_id}/"
        assert await closed_with(path, user=super_admin) == close_codes.FORBIDDEN


async def test_owner_a_never_receives_owner_bs_events_anywhere(
    any_layer, owner, salon, other_owner, other_salon
):
    own = await accepted(f"/ws/business/{salon.pk}/", owner)
    # B's business socket and the dashboard are refused outright.
    assert await closed_with(f"/ws/business/{other_salon.pk}/", user=owner) == 4403
    assert await closed_with("/ws/dashboard/", user=owner) == 4403
    # The same topics on the multiplexed socket: an error frame each, nothing joined.
    multiplexed = await accepted("/ws/", owner)
    for topic in (business_topic(other_salon.pk), DASHBOARD_TOPIC):
        await multiplexed.send_frame({"type": "subscribe", "topic": topic, "ref": "s"})
        error = await multiplexed.frame()
        assert (error["type"], error["code"], error["ref"]) == ("error", "forbidden", "s")
    # B's reservation reaches B, and A hears nothing of it on any socket.
    theirs = await accepted(f"/ws/business/{other_salon.pk}/", other_owner)
    await book_async(other_salon, customer_name="Secret")
    assert (await theirs.frame())["payload"]["reservation"]["customer_name"] == "Secret"
    assert await own.nothing_more(0.3)
    assert await multiplexed.nothing_more(0.1)
    for socket in (own, multiplexed, theirs):
        await socket.disconnect()


async def test_an_owner_follows_their_business_on_the_multiplexed_socket(
    in_memory_layer, owner, salon
):
    socket = await accepted("/ws/", owner)
    topic = business_topic(salon.pk)
    await socket.send_frame({"type": "subscribe", "topic": topic})
    assert (await socket.frame())["type"] == "subscribed"
    await book_async(salon)
    frame = await socket.frame()
    assert (frame["topic"], frame["event"]["type"]) == (topic, "reservation_created")
    await socket.disconnect()
