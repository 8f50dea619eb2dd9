"""Moderation's REST API (BRIEF: POST /api/blocks/, DELETE /api/blocks/<user id>/) and reports."""

import pytest

from apps.chat import services
from apps.chat.models import Message
from apps.moderation.models import Block, Report

pytestmark = pytest.mark.django_db


def send(conversation, user, body="Hello", client_id="c-1"):
    message, _ = services.message_send(
        conversation_id=conversation.pk, sender=user, body=body, client_id=client_id
    )
    return message


def test_block_then_a_send_either_way_is_403_naming_the_block(
    client_for, conversation, buyer, seller
):
    blocked = client_for(seller).post("/api/blocks/", {"user": buyer.pk}, format="json")
    assert blocked.status_code == 201 and blocked.json()["user"] == buyer.pk
    again = client_for(seller).post("/api/blocks/", {"user": buyer.pk}, format="json")
    assert again.status_code == 200
    url = f"/api/conversations/{conversation.pk}/messages/"
    for user, text in ((buyer, "blocked"), (seller, "You blocked buyer")):
        response = client_for(user).post(url, {"body": "Hi", "client_id": "x"}, format="json")
        assert response.status_code == 403 and text in response.json()["detail"]
    assert not Message.objects.exists()
    assert client_for(seller).get("/api/blocks/").json()[0]["username"] == "buyer"


def test_unblock_is_204_then_404_and_sends_pass_again(client_for, conversation, buyer, seller):
    client_for(seller).post("/api/blocks/", {"user": buyer.pk}, format="json")
    assert client_for(seller).delete(f"/api/blocks/{buyer.pk}/").status_code == 204
    assert client_for(seller).delete(f"/api/blocks/{buyer.pk}/").status_code == 404
    url = f"/api/conversations/{conversation.pk}/messages/"
    response = client_for(buyer).post(url, {"body": "Hi", "client_id": "x"}, format="json")
    assert response.status_code == 201


def test_only_the_blocker_can_unblock(client_for, buyer, seller):
    client_for(seller).post("/api/blocks/", {"user": buyer.pk}, format="json")
    assert client_for(buyer).delete(f"/api/blocks/{seller.pk}/").status_code == 404
    assert Block.objects.count() == 1


@pytest.mark.parametrize("body", [{"user": "me"}, {}, {"user": 999_999}, {"user": 1, "x": 1}])
def test_bad_blocks_are_400(client_for, buyer, body):
    response = client_for(buyer).post("/api/blocks/", body, format="json")
    assert response.status_code == 400


def test_blocking_oneself_is_400_naming_user(client_for, buyer):
    response = client_for(buyer).post("/api/blocks/", {"user": buyer.pk}, format="json")
    assert response.status_code == 400 and "user" in response.json()


def test_report_a_message_into_the_queue(client_for, conversation, buyer, seller, stranger):
    message = send(conversation, seller, "Pay by gift card")
    url = f"/api/conversations/{conversation.pk}/messages/{message.pk}/report/"
    created = client_for(buyer).post(url, {"reason": "Scam"}, format="json")
    assert created.status_code == 201
    assert created.json()["status"] == "open" and created.json()["message"] == message.pk
    assert client_for(buyer).post(url, {"reason": "Scam"}, format="json").status_code == 200
    assert client_for(stranger).post(url, {"reason": "x"}, format="json").status_code == 404
    own = client_for(seller).post(url, {"reason": "x"}, format="json")
    assert own.status_code == 400 and "message" in own.json()
    empty = client_for(buyer).post(url, {"reason": ""}, format="json")
    assert empty.status_code == 400 and "reason" in empty.json()
    assert Report.objects.count() == 1


def test_the_queue_is_in_admin_for_super_admins_only(client, conversation, buyer, seller):
    from django.contrib.auth.models import Permission, User

    message = send(conversation, seller, "Pay by gift card")
    client.force_login(buyer)
    from apps.moderation.services import report_create

    report, _ = report_create(
        reporter=buyer, conversation_id=conversation.pk, message_id=message.pk, reason="Scam"
    )
    staff = User.objects.create_user("staff", password="staff-pass-1", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(codename="view_report"))
    client.force_login(staff)
    assert client.get("/admin/moderation/report/").status_code == 403
    admin = User.objects.create_superuser("admin", "admin@example.com", "admin-pass-1")
    client.force_login(admin)
    page = client.get("/admin/moderation/report/?status__exact=open")
    assert page.status_code == 200 and b"Pay by gift card" in page.content
    resolved = client.post(
        "/admin/moderation/report/",
        {"action": "resolve", "_selected_action": [report.pk]},
        follow=True,
    )
    assert resolved.status_code == 200 and b"1 report(s) resolved" in resolved.content
    report.refresh_from_db()
    assert report.status == "resolved" and report.resolved_by == admin
