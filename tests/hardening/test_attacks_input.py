"""Hostile input: control characters and direction overrides in every text field, oversized
bodies and uploads. Each is refused with a 4xx naming the field (or the limit), through the
API and through the services (so admin and shell writes are covered too), and nothing is
stored as given.

One command: `.venv/bin/pytest tests/hardening/test_attacks_input.py`.
"""

from __future__ import annotations

import io
import logging
import os
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.bookings import services as bookings
from apps.chat import services as chat
from apps.listings import services as listings
from apps.records import services as records
from tidewire.testing.clients import bearer_client
from tidewire.testing.routes import all_routes, concrete, is_api, methods_of

from .socket_world import World, unchanged_rows

pytestmark = pytest.mark.django_db

# What hides in a name: ESC (terminal escapes), BEL, NUL, a line break, U+202E RIGHT-TO-LEFT
# OVERRIDE ("Ann\u202egnp.exe" shows as "Annexe.png"), an isolate, a zero-width space.
HOSTILE = ["\x1b[31m", "\x07", "\x00", "\u202e", "\u2066", "\u200b", "\u2028"]
# Where they are put: before, inside and after ordinary text.
SPOTS = [lambda c: f"{c}Ann", lambda c: f"An{c}n", lambda c: f"Ann{c}"]
STARTS = "2030-01-01T10:00:00Z"


@pytest.fixture
def people(in_memory_layer):
    world = World()
    world.admin_api = bearer_client(world.admin)
    world.buyer_api = bearer_client(world.buyer)
    return world


def text_fields(w: World) -> list[tuple[str, str, str, dict, str]]:
    """(who, method, url, a valid body, the field to poison) for every user-provided text field."""
    reservation = {
        "business": w.business.pk,
        "customer_name": "Carla",
        "customer_email": "carla@example.com",
        "service": "Cut",
        "starts_at": STARTS,
    }
    listing = {"title": "Lamp", "description": "Old", "price": "5"}
    message = f"/api/conversations/{w.conversation.pk}/messages/"
    business = {"name": "Salon", "subdomain": "salon-two", "owner": w.seller.pk}
    return [
        ("admin", "post", "/api/users/", {"first_name": "A", "last_name": "B"}, "first_name"),
        ("admin", "post", "/api/users/", {"first_name": "A", "last_name": "B"}, "last_name"),
        ("buyer", "post", "/api/listings/", listing, "title"),
        ("buyer", "post", "/api/listings/", listing, "description"),
        ("buyer", "post", message, {"body": "Hi", "client_id": "x-1"}, "body"),
        ("admin", "post", "/api/businesses/", business, "name"),
        ("admin", "post", "/api/reservations/", reservation, "customer_name"),
        ("admin", "post", "/api/reservations/", reservation, "customer_email"),
        ("admin", "post", "/api/reservations/", reservation, "service"),
    ]


def _stored_text() -> str:
    """Every string stored by every app, joined: to look for what must never be stored."""
    return "\n".join(
        value
        for rows in unchanged_rows().values()
        for row in rows
        for value in row.values()
        if isinstance(value, str)
    )


def _neutralised(response, field: str, value: str) -> bool:
    """Stored, but without the hostile character (a leading or trailing line separator is
    whitespace, trimmed like a space)."""
    stored = response.json().get(field, "")
    return response.status_code == 201 and stored == value.strip()


def test_every_text_field_refuses_control_and_direction_characters(people, hardening_report):
    """Each hostile character, before, inside and after the text of each field (in an e-mail
    address: in its domain): 400 naming the field, or trimmed away with the whitespace
    around the text; never stored as given."""
    tried = 0
    for who, method, url, valid, field in text_fields(people):
        api = people.admin_api if who == "admin" else people.buyer_api
        for character in HOSTILE:
            for spot in SPOTS:
                value = spot(character)
                if field == "customer_email":
                    value = f"carla@exam{value}ple.com"
                body = {**valid, field: value}
                for unique in ("client_id", "subdomain"):  # a neutralised one was stored
                    if unique in body:
                        body[unique] = f"x-{tried}"
                response = getattr(api, method)(url, body, format="json")
                tried += 1
                if _neutralised(response, field, value):
                    continue
                assert response.status_code == 400, (url, field, repr(value), response.content)
                assert field in response.json(), response.json()
    stored = _stored_text()
    assert not [c for c in HOSTILE if c in stored]
    hardening_report.count("hostile text values refused or neutralised (REST)", tried)


def test_sign_up_refuses_control_and_direction_characters(client, hardening_report):
    """The sign-up form: a username or an e-mail address with such a character is refused."""
    for character in HOSTILE:
        for field, value in (("username", f"ann{character}"), ("email", f"a@b{character}c.com")):
            data = {"username": "ann", "email": "ann@example.com", "password1": "x9!longpassw0rd"}
            data["password2"] = data["password1"]
            response = client.post("/accounts/signup/", {**data, field: value})
            hardening_report.count("hostile text values refused or neutralised (sign-up)", 1)
            if response.status_code == 302:  # signed up: the value was trimmed
                user = User.objects.get()
                assert getattr(user, field) == value.strip(), (field, repr(value))
                user.delete()
                continue
            assert response.context["form"].errors.get(field), (field, repr(value))
    assert not User.objects.exists()


def _service_writes(w: World):
    """Every service that stores a user's text, and its field (as the admin and shell call them)."""
    starts = datetime(2030, 1, 1, tzinfo=UTC)
    book = {"customer_name": "C", "customer_email": "c@example.com", "service": "S"}
    return [
        ("first_name", lambda v: records.user_record_create(first_name=v, last_name="B")),
        ("title", lambda v: listings.listing_create(seller=w.seller, title=v, price=1)),
        (
            "body",
            lambda v: chat.message_send(
                conversation_id=w.conversation.pk, sender=w.buyer, body=v, client_id="svc"
            ),
        ),
        ("name", lambda v: bookings.business_create(name=v, subdomain="svc", owner=w.seller)),
        *[
            (
                field,
                lambda v, field=field: bookings.reservation_create(
                    business_id=w.business.pk, starts_at=starts, **{**book, field: v}
                ),
            )
            for field in book
        ],
    ]


def test_the_services_refuse_them_too(people, hardening_report):
    """Admin and shell writes go through the services: each refuses what the API refuses."""
    before = unchanged_rows()
    for field, write in _service_writes(people):
        for character in HOSTILE:
            value = f"c@exam{character}ple.com" if field == "customer_email" else f"A{character}B"
            with pytest.raises((ValueError, chat.ChatError)) as refused:
                write(value)
                pytest.fail(f"{field} {value!r} stored")
            assert field in str(refused.value), (field, repr(value))
            hardening_report.count("hostile text values refused (services)", 1)
    assert unchanged_rows() == before


# -- oversized bodies and uploads ---------------------------------------------------------

LIMIT = 1_000  # DATA_UPLOAD_MAX_MEMORY_SIZE for these tests: the refusal, not the bytes, is tried
# Writes that take no body and never read one (Django reads a body only when asked).
NO_BODY = {"api/listings/<id:listing_id>/conversation/"}


def test_every_api_write_refuses_a_body_past_the_limit(people, settings, caplog, hardening_report):
    """Every API method that takes a body answers 413 to one past the limit (or 404 for an
    object it may not touch, before reading the body); nothing is stored, and each
    refusal is logged."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = LIMIT
    body = '{"first_name": "' + "x" * LIMIT + '"}'
    before = unchanged_rows()
    tried = 0
    with caplog.at_level(logging.WARNING, logger="django.request"):
        for route, callback, _ in all_routes():
            if not is_api(callback) or route in NO_BODY:
                continue
            for method in methods_of(callback):
                if method in ("get", "delete"):
                    continue
                url = concrete(route)
                response = people.admin_api.generic(
                    method.upper(), url, body, content_type="application/json"
                )
                assert response.status_code in (413, 404), (method, url, response.status_code)
                if response.status_code == 413:
                    assert (
                        response.json()["detail"]
                        == f"Request body too large: at most {LIMIT} bytes."
                    )
                tried += 1
    assert unchanged_rows() == before
    logged = [
        r
        for r in caplog.records
        if r.getMessage().startswith(("Request Entity Too Large:", "Not Found:"))
    ]
    assert len(logged) == tried
    hardening_report.count("oversized bodies refused (413)", tried)


def _image(size: int = 8) -> bytes:
    """A PNG of noise (which does not compress): some 3 bytes a pixel."""
    from PIL import Image

    data = io.BytesIO()
    Image.frombytes("RGB", (size, size), os.urandom(size * size * 3)).save(data, "PNG")
    return data.getvalue()


def test_uploads_past_the_limits_are_refused_naming_images(people, settings, hardening_report):
    """A photo over the byte limit, a file that is not an image, a GIF and six photos:
    each 400 naming `images`, nothing stored."""
    settings.TIDEWIRE = {**settings.TIDEWIRE, "CHAT_IMAGE_MAX_BYTES": 2_000}
    url = f"/api/conversations/{people.conversation.pk}/messages/"
    big = _image(40)
    assert len(big) > 2_000
    cases = {
        "too big": [("a.png", big)],
        "not an image": [("a.png", b"<script>alert(1)</script>")],
        "six": [(f"{n}.png", _image()) for n in range(6)],
    }
    before = unchanged_rows()
    for n, (case, files) in enumerate(cases.items()):
        uploads = [SimpleUploadedFile(name, data, "image/png") for name, data in files]
        response = people.buyer_api.post(
            url, {"client_id": f"u-{n}", "images": uploads}, format="multipart"
        )
        assert response.status_code == 400, (case, response.content)
        assert "images" in response.json(), (case, response.json())
    assert unchanged_rows() == before
    hardening_report.count("oversized or false uploads refused (400)", len(cases))
