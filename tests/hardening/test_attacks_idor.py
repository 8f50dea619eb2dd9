"""IDOR: another user's record, conversation, message, photo, offer, business, reservation,
notification and topic, asked for by a logged-in stranger ("mallory"), is refused and changes
nothing; every refusal is logged.

The lists are generated: every API route with an id in its path, every registered
topic family and every WebSocket route must be either attacked here or named in
an exemption with its reason, so a new endpoint cannot be forgotten.

One command: `.venv/bin/pytest tests/hardening/test_attacks_idor.py`.
"""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.bookings.services import reservation_create
from apps.chat.services import message_send
from apps.notifications.models import Notification
from apps.offers.services import offer_propose
from config.routing import websocket_urlpatterns
from tidewire import close_codes
from tidewire.testing.clients import bearer_client
from tidewire.testing.routes import all_routes, methods_of
from tidewire.testing.sockets import close_frame, open_socket
from tidewire.topics import _RULES

from .socket_world import World, unchanged_rows

pytestmark = [pytest.mark.django_db(transaction=True)]

# Routes with an id that are not someone else's object, each with why.
NOT_OBJECTS = {
    # Records are shared by design: any logged-in user reads them; writing needs the
    # record permissions (tests/test_authorization.py, apps/records/tests/test_permissions.py).
    "api/users/<id:record_id>/": "shared records",
    # A listing is public to members: anyone may open a conversation or make an offer
    # about it (the seller's own listing is refused, apps/chat and apps/offers tests).
    "api/listings/<id:listing_id>/conversation/": "any member may contact a seller",
    "api/listings/<id:listing_id>/offers/": "any member may make an offer",
    # The caller's own block list, keyed by the blocked user.
    "api/blocks/<id:user_id>/": "the caller's own blocks",
    # The signed link is the credential (tests/test_authorization.py, apps/mailing tests).
    "notifications/unsubscribe/<str:token>/": "signed link",
}
# Topic families anyone logged in may follow, by pattern.
PUBLIC_TOPICS = {
    r"^records\.users$",
    r"^listings\.all$",
    r"^listings\.listing\.(\d+)$",
    r"^twtest\.open\.\d+$",
    r"^twtest\.presence\.\d+$",
}


def _png() -> SimpleUploadedFile:
    data = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(data, "PNG")
    return SimpleUploadedFile("p.png", data.getvalue(), content_type="image/png")


class Victims(World):
    """World's people and things, plus a photo, an offer, a reservation and notifications."""

    def __init__(self) -> None:
        super().__init__()
        self.mallory = User.objects.create_user(username="mallory", password="x")
        photo, _ = message_send(
            conversation_id=self.conversation.pk,
            sender=self.buyer,
            body="",
            client_id="photo-1",
            images=[_png()],
        )
        self.photo_message = photo
        self.image = photo.images.get()
        self.offer = offer_propose(
            listing_id=self.conversation.listing_id, buyer=self.buyer, amount="4"
        )
        self.reservation = reservation_create(
            business_id=self.business.pk,
            customer_name="Carla",
            customer_email="carla@example.com",
            service="Cut",
            starts_at=datetime(2030, 1, 1, tzinfo=UTC),
        )
        self.notification = Notification.objects.filter(recipient=self.seller).earliest("pk")


# Every API route with an id: the victim's object as a URL, and what mallory gets.
def object_urls(v: Victims) -> dict[str, tuple[str, dict[str, int]]]:
    c, m, i = v.conversation.pk, v.photo_message.pk, v.image.pk
    return {
        "api/listings/<id:listing_id>/": (
            f"/api/listings/{v.conversation.listing_id}/",
            # Public to members, so a refusal leaks nothing: 403 naming the rule.
            {"get": 200, "patch": 403, "delete": 403},
        ),
        "api/conversations/<id:conversation_id>/": (f"/api/conversations/{c}/", {}),
        "api/conversations/<id:conversation_id>/messages/": (
            f"/api/conversations/{c}/messages/",
            {},
        ),
        "api/conversations/<id:conversation_id>/messages/<id:message_id>/": (
            f"/api/conversations/{c}/messages/{m}/",
            {},
        ),
        "api/conversations/<id:conversation_id>/images/<id:image_id>/": (
            f"/api/conversations/{c}/images/{i}/",
            {},
        ),
        "api/conversations/<id:conversation_id>/images/<id:image_id>/thumbnail/": (
            f"/api/conversations/{c}/images/{i}/thumbnail/",
            {},
        ),
        "api/conversations/<id:conversation_id>/archive/": (
            f"/api/conversations/{c}/archive/",
            {},
        ),
        "api/conversations/<id:conversation_id>/read/": (f"/api/conversations/{c}/read/", {}),
        "api/conversations/<id:conversation_id>/delivered/": (
            f"/api/conversations/{c}/delivered/",
            {},
        ),
        "api/conversations/<id:conversation_id>/messages/<id:message_id>/report/": (
            f"/api/conversations/{c}/messages/{m}/report/",
            {},
        ),
        "api/offers/<id:offer_id>/": (f"/api/offers/{v.offer.pk}/", {}),
        "api/offers/<id:offer_id>/accept/": (f"/api/offers/{v.offer.pk}/accept/", {}),
        "api/offers/<id:offer_id>/decline/": (f"/api/offers/{v.offer.pk}/decline/", {}),
        "api/offers/<id:offer_id>/withdraw/": (f"/api/offers/{v.offer.pk}/withdraw/", {}),
        "api/offers/<id:offer_id>/counter/": (f"/api/offers/{v.offer.pk}/counter/", {}),
        "api/notifications/<id:notification_id>/archive/": (
            f"/api/notifications/{v.notification.pk}/archive/",
            {},
        ),
        "api/businesses/<id:business_id>/": (f"/api/businesses/{v.business.pk}/", {}),
        "api/businesses/<id:business_id>/reservations/import/": (
            f"/api/businesses/{v.business.pk}/reservations/import/",
            {},
        ),
        "api/reservations/<id:reservation_id>/": (
            f"/api/reservations/{v.reservation.pk}/",
            {},
        ),
    }


ID_ROUTES = [(route, callback) for route, callback, _ in all_routes() if "<" in route]


@pytest.fixture
def victims(in_memory_layer) -> Victims:
    return Victims()


# What the victims would send to each route: a refusal must not be a 400 about the body.
BODIES = {
    "api/listings/<id:listing_id>/": {"title": "mine now"},
    "api/conversations/<id:conversation_id>/messages/": {"body": "mine now", "client_id": "m"},
    "api/conversations/<id:conversation_id>/messages/<id:message_id>/": {"body": "mine now"},
    "api/conversations/<id:conversation_id>/read/": {"up_to": 1},
    "api/conversations/<id:conversation_id>/delivered/": {"up_to": 1},
    "api/conversations/<id:conversation_id>/messages/<id:message_id>/report/": {
        "reason": "mine now"
    },
    "api/offers/<id:offer_id>/counter/": {"amount": "3"},
    "api/businesses/<id:business_id>/": {"name": "mine now"},
    "api/reservations/<id:reservation_id>/": {"customer_name": "mine now"},
}


def test_every_route_with_an_id_is_attacked_or_exempt_with_a_reason(victims):
    """A new route with an id fails here until it is added to `object_urls` or NOT_OBJECTS."""
    routes = {route for route, _ in ID_ROUTES}
    assert routes == set(object_urls(victims)) | set(NOT_OBJECTS) | {
        "chat/<id:conversation_id>/"  # the page: tested below with the pages
    }


def test_another_users_objects_are_404_on_every_method_and_nothing_changes(
    victims, caplog, hardening_report
):
    """Mallory, logged in with a token, asks every method of every object route about the
    victims' objects: each answer is 404 (no existence leak; 403 for a listing, which
    members may read), none carries their data,
    every refusal is logged (django.request), and no stored row changes."""
    api = bearer_client(victims.mallory)
    before = unchanged_rows()
    callbacks = dict(ID_ROUTES)
    refused = 0
    with caplog.at_level(logging.WARNING, logger="django.request"):
        for route, (url, expected) in object_urls(victims).items():
            for method in methods_of(callbacks[route]):
                status = expected.get(method, 404)
                body = BODIES.get(route, {}) if method != "get" else None
                response = getattr(api, method)(url, body, format="json")
                assert response.status_code == status, (method, url, response.content[:200])
                if status != 200:
                    refused += 1
                    assert b"mine now" not in response.content
    assert unchanged_rows() == before
    logged = [r for r in caplog.records if r.getMessage().startswith(("Not Found:", "Forbidden:"))]
    assert len(logged) == refused
    hardening_report.count("IDOR requests refused (REST)", refused)


def test_another_users_conversation_page_is_404(victims, client):
    """The chat room page of a conversation mallory is not in: 404, nothing of it shown."""
    client.force_login(victims.mallory)
    response = client.get(f"/chat/{victims.conversation.pk}/")
    assert response.status_code == 404
    assert b"Lamp" not in response.content


def victim_topics(v: Victims) -> dict[str, str]:
    """For every topic family that is not public, one topic of the victims'."""
    return {
        r"^chat\.conversation\.(\d+)$": f"chat.conversation.{v.conversation.pk}",
        r"^chat\.inbox\.(\d+)$": f"chat.inbox.{v.buyer.pk}",
        r"^notifications\.user\.(\d+)$": f"notifications.user.{v.seller.pk}",
        r"^bookings\.dashboard$": "bookings.dashboard",
        r"^bookings\.business\.(\d+)$": f"bookings.business.{v.business.pk}",
    }


async def test_every_topic_of_another_user_is_forbidden_on_the_multiplexed_socket(
    victims, caplog, hardening_report
):
    """Every registered topic family is public or attacked here; subscribing to the
    victims' topic of each is answered `forbidden` (logged), the socket stays open."""
    topics = victim_topics(victims)
    # The apps' and the core's families; other tests register their own as they run.
    families = {
        rule.pattern.pattern
        for rule in _RULES
        if rule.may_join.__module__.startswith(("apps.", "tidewire."))
        and ".tests." not in rule.may_join.__module__
    }
    assert families == set(topics) | PUBLIC_TOPICS
    with caplog.at_level(logging.WARNING, logger="tidewire.consumers"):
        socket, _, _ = await open_socket("/ws/", user=victims.mallory)
        for n, topic in enumerate(topics.values()):
            await socket.send_frame({"type": "subscribe", "topic": topic, "ref": n})
            answer = await socket.frame()
            assert (answer["type"], answer["code"], answer["ref"]) == ("error", "forbidden", n)
    await socket.send_frame({"type": "ping"})
    assert (await socket.frame())["type"] == "pong"
    await socket.disconnect()
    for topic in topics.values():
        assert f"refused {topic!r} to user {victims.mallory.pk}" in caplog.text
    hardening_report.count("IDOR joins refused (topics, socket endpoints)", len(topics))


def victim_sockets(v: Victims) -> dict[str, str]:
    """For every WebSocket route of a fixed topic that is not public, the victims' one."""
    return {
        "ws/chat/<int:conversation_id>/": f"/ws/chat/{v.conversation.pk}/",
        "ws/dashboard/": "/ws/dashboard/",
        "ws/business/<int:business_id>/": f"/ws/business/{v.business.pk}/",
    }


PUBLIC_SOCKETS = {"ws/", "ws/user-updates/"}


async def test_every_socket_endpoint_of_another_user_closes_4403(victims, caplog, hardening_report):
    """Every WebSocket route is public or attacked here; mallory is accepted and closed
    4403 on each of the victims' endpoints, and each refusal is logged."""
    sockets = victim_sockets(victims)
    assert {str(p.pattern) for p in websocket_urlpatterns} == set(sockets) | PUBLIC_SOCKETS
    with caplog.at_level(logging.WARNING, logger="tidewire.consumers"):
        for path in sockets.values():
            client, _, _ = await open_socket(path, user=victims.mallory)
            close = await close_frame(client)
            assert close["code"] == close_codes.FORBIDDEN, path
    assert caplog.text.count(f"to user {victims.mallory.pk}: not allowed") == len(sockets)
    hardening_report.count("IDOR joins refused (topics, socket endpoints)", len(sockets))
