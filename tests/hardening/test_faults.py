"""Faults injected into real processes while traffic flows; afterwards every client has converged.

Each fault test starts uvicorn servers on the test database and the suite's
Redis, opens resuming subscribers on both (as browsers: reconnect, resume from
the last offset), and drives record PATCHes and chat messages through both
servers, retrying each write until it is answered (a chat retry carries the
same client_id). Then the fault. Afterwards each subscriber must have seen
exactly the topic's stream in the database: every offset once, in order, no
gap, no repeat, no reset; and what it saw last must be the database's state.

Faults proven elsewhere and not repeated here (docs/reliability.md, section 3):
a writer that dies after commit and before publishing, Redis restarted under
record traffic, and a slow socket closed 4008 that resumes losing nothing
(tests/test_scale_out.py).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count
from urllib.parse import urlsplit

import httpx
import orjson
import pytest
import websockets
from asgiref.sync import sync_to_async
from celery import Celery
from django.contrib.auth.models import User

from apps.bookings.services import business_create, reservation_create
from apps.chat.models import Message
from apps.chat.services import conversation_open
from apps.chat.topics import conversation_topic
from apps.listings.services import listing_create
from apps.mailing.models import OutgoingEmail
from apps.notifications.models import Notification
from apps.notifications.topics import notifications_topic
from apps.records import services as records
from apps.records.models import UserRecord
from apps.records.topics import USERS_TOPIC
from tidewire.celery_jobs import task_name
from tidewire.faults import CRASH_EXIT_STATUS, EMAIL_SENT_BEFORE_MARK
from tidewire.streams import stream_offset, stream_read
from tidewire.testing.celery_worker import CeleryWorker
from tidewire.testing.servers import ServerProcess
from tidewire.testing.sockets import access_token
from tidewire.testing.subscriber import ResumingSubscriber
from tidewire.testing.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres, pytest.mark.redis]

# Writes through the fault: enough that it lands among them (about 2 s of traffic).
PATCHES = 60
MESSAGES = 30
PACE = 0.02  # seconds between one writer's requests
# A server would refuse a chat at this pace (60 a minute per user) before any fault.
SERVER_ENV = {"TIDEWIRE_THROTTLE_CHAT_SEND": "100000/min"}
# Generous: a liveness bound on a loaded machine, not a timing claim.
CONVERGE_TIMEOUT = 30

client_ids = count()


@pytest.fixture
def people(editor):
    """A record the editor changes, and a buyer writing to a seller about a listing."""
    seller = User.objects.create_user(
        username="seller", password="seller-pass-1", email="seller@example.com"
    )
    buyer = User.objects.create_user(username="buyer", password="buyer-pass-1")
    listing = listing_create(seller=seller, title="Laptop for Sale", price=Decimal("450"))
    conversation, _ = conversation_open(listing_id=listing.pk, buyer=buyer)
    record = records.user_record_create(first_name="Ada", last_name="Lovelace")
    return {
        "editor": editor,
        "seller": seller,
        "buyer": buyer,
        "conversation": conversation,
        "record": record,
    }


def api_client(user) -> httpx.AsyncClient:
    # 30 s: far above what a request may wait for the database (DATABASE_POOL_TIMEOUT).
    headers = {"Authorization": f"Bearer {access_token(user)}"}
    return httpx.AsyncClient(headers=headers, timeout=30)


class Traffic:
    """Record PATCHes (as the editor) and chat messages (buyer to seller), each retried on
    the next server until answered; counts what each refusal was."""

    def __init__(self, servers: list[ServerProcess], people: dict) -> None:
        self.servers = servers
        self.people = people
        self.refused: Counter[str] = Counter()  # "transport" (a dead server), "503"
        self.sent_client_ids: list[str] = []

    async def run(self) -> None:
        await asyncio.gather(self._patches(), self._messages())

    async def _patches(self) -> None:
        path = f"/api/users/{self.people['record'].pk}/"
        async with api_client(self.people["editor"]) as http:
            for n in range(PATCHES):
                await self._until_answered(http, n, "PATCH", path, {"last_name": f"p{n}"})

    async def _messages(self) -> None:
        path = f"/api/conversations/{self.people['conversation'].pk}/messages/"
        async with api_client(self.people["buyer"]) as http:
            for n in range(MESSAGES):
                client_id = f"fault-{next(client_ids)}"
                self.sent_client_ids.append(client_id)
                body = {"body": f"message {n}", "client_id": client_id}
                await self._until_answered(http, n, "POST", path, body)

    async def _until_answered(
        self, http: httpx.AsyncClient, n: int, method: str, path: str, body: dict
    ) -> None:
        for attempt in count(n):  # write n goes to server n % 2 first, then the other
            url = self.servers[attempt % len(self.servers)].url + path
            try:
                response = await http.request(method, url, json=body)
            except httpx.TransportError:
                self.refused["transport"] += 1
            else:
                if response.status_code != 503:
                    assert response.status_code in (200, 201), response.text
                    await asyncio.sleep(PACE)
                    return
                # A clean refusal: JSON saying why, and when to try again.
                assert response.json()["detail"] and response.headers["Retry-After"]
                self.refused["503"] += 1
            await asyncio.sleep(0.1)


class Observers:
    """Resuming subscribers, each on one server first and the other after a failure."""

    def __init__(self, a: ServerProcess, b: ServerProcess, people: dict) -> None:
        editor, seller = people["editor"], people["seller"]
        conversation = people["conversation"]
        followed = [
            (USERS_TOPIC, editor, 3, 2),  # three sockets on A, two on B
            (conversation_topic(conversation.pk), seller, 1, 1),
            (notifications_topic(seller.pk), seller, 1, 1),
        ]
        self.topics = [topic for topic, *_ in followed]
        self.subscribers: dict[str, list[ResumingSubscriber]] = {}
        for topic, user, on_a, on_b in followed:
            token = access_token(user)
            self.subscribers[topic] = [
                ResumingSubscriber([first.ws_url, then.ws_url], topic, token=token)
                for first, then in [(a, b)] * on_a + [(b, a)] * on_b
            ]
        self.starts: dict[str, int] = {}

    @property
    def all(self) -> list[ResumingSubscriber]:
        return [s for subscribers in self.subscribers.values() for s in subscribers]

    async def start(self) -> None:
        for topic, subscribers in self.subscribers.items():
            self.starts[topic] = await sync_to_async(stream_offset)(topic=topic)
            for subscriber in subscribers:
                await subscriber.start(offset=self.starts[topic])

    async def converged(self) -> dict[str, int]:
        """Every subscriber saw its topic's stream exactly; events checked per topic."""
        checked = {}
        for topic, subscribers in self.subscribers.items():
            stream = await sync_to_async(stream_read)(
                topic=topic, after=self.starts[topic], limit=10_000
            )
            offsets = [event.offset for event in stream]
            start = self.starts[topic]
            assert offsets == list(range(start + 1, start + 1 + len(offsets)))
            for subscriber in subscribers:
                if offsets:
                    await subscriber.wait_for_offset(offsets[-1], timeout=CONVERGE_TIMEOUT)
                assert subscriber.offsets == offsets, topic  # each once, in order, no gap
                assert subscriber.resets == 0
            checked[topic] = len(offsets)
        return checked

    async def stop(self) -> None:
        for subscriber in self.all:
            await subscriber.stop()


async def assert_state_is_the_databases(observers: Observers, traffic: Traffic, people) -> None:
    """What the clients saw last is what the database holds; each message and notice once."""
    record = await sync_to_async(UserRecord.objects.get)(pk=people["record"].pk)
    for subscriber in observers.subscribers[USERS_TOPIC]:
        last = subscriber.events[-1]["event"]["data"]["user"]
        assert (last["last_name"], last["version"]) == (record.last_name, record.version)
    conversation, seller = people["conversation"], people["seller"]

    def stored():
        messages = Message.objects.filter(conversation=conversation)
        notices = Notification.objects.filter(recipient=seller)
        return (
            sorted(messages.values_list("client_id", flat=True)),
            sorted(messages.values_list("id", flat=True)),
            sorted(notices.values_list("id", flat=True)),
        )

    client_ids_stored, message_ids, notice_ids = await sync_to_async(stored)()
    assert client_ids_stored == sorted(traffic.sent_client_ids)  # every retry stored once
    for subscriber in observers.subscribers[conversation_topic(conversation.pk)]:
        seen = [e["event"]["message"]["id"] for e in subscriber.events]
        assert sorted(seen) == message_ids
    for subscriber in observers.subscribers[notifications_topic(seller.pk)]:
        seen = [e["event"]["notification"]["id"] for e in subscriber.events]
        assert sorted(seen) == notice_ids and len(notice_ids) == MESSAGES
    async with api_client(seller) as http:
        unread = await http.get(f"{traffic.servers[-1].url}/api/notifications/unread-count/")
    assert unread.json() == {"unread_count": MESSAGES}  # REST agrees with the sockets


async def run_through_fault(servers_pair, people, fault: Callable[[], Awaitable[None]]):
    """Traffic through both servers with `fault` injected 0.5 s in; returns the figures."""
    a, b = servers_pair
    observers = Observers(a, b, people)
    await observers.start()
    traffic = Traffic([a, b], people)
    writing = asyncio.create_task(traffic.run())
    await asyncio.sleep(0.5)
    await fault()
    await writing
    checked = await observers.converged()
    await assert_state_is_the_databases(observers, traffic, people)
    reconnects = sum(len(s.closes) for s in observers.all)
    await observers.stop()
    figures = {"events": checked, "refused": dict(traffic.refused), "reconnects": reconnects}
    print(f"figures: {figures}")
    return figures


async def test_a_server_killed_mid_broadcast_loses_and_doubles_nothing(servers, people):
    """SIGKILL one of two servers while records and chat messages flow through both and half
    the subscribers sit on it: they resume on the other (or the restarted one) from their
    offsets; every subscriber sees each event once, chat retries are stored once, and the
    seller gets one notification per message, on the socket and in REST."""
    a, b = servers(**SERVER_ENV), servers(**SERVER_ENV)

    async def kill_a_then_restart_it():
        a.kill()
        await asyncio.sleep(1)
        await asyncio.to_thread(a.start)

    figures = await run_through_fault((a, b), people, kill_a_then_restart_it)
    assert figures["refused"].get("transport", 0) > 0  # writes did hit the dead server
    assert figures["reconnects"] >= 5  # every socket on A came back


async def test_postgresql_stopped_for_3_seconds_gives_clean_503s_and_loses_nothing(
    servers, people, database_url
):
    """Both servers reach PostgreSQL through a proxy that cuts every connection and refuses
    new ones for 3 s: a write cut mid-query, or one that waited DATABASE_POOL_TIMEOUT for a
    connection, gets a JSON 503 with Retry-After (never a hang or an HTML 500); afterwards
    writes succeed (no dead pooled connection fails a request), the sockets stayed up,
    and every subscriber converges."""
    target = urlsplit(database_url)
    proxy = TcpProxy(target.hostname, target.port or 5432)
    proxy.start()
    through_proxy = database_url.replace(f":{target.port}/", f":{proxy.port}/")
    # A request waits 1 s for a connection (5 s by default): the 3 s outage outlasts it.
    env = {"DATABASE_URL": through_proxy, "DATABASE_POOL_TIMEOUT": "1", **SERVER_ENV}
    a, b = servers(**env), servers(**env)

    async def stop_postgresql():
        await asyncio.to_thread(proxy.cut)
        await asyncio.sleep(3)
        await asyncio.to_thread(proxy.restore)

    try:
        figures = await run_through_fault((a, b), people, stop_postgresql)
    finally:
        await asyncio.to_thread(proxy.stop)
    assert figures["refused"].get("503", 0) > 0 and proxy.cut_connections > 0
    assert "transport" not in figures["refused"]  # no server died or dropped a request
    assert figures["reconnects"] == 0  # the sockets stayed up through the outage


async def test_redis_restarted_under_chat_and_notifications_loses_nothing(
    servers, people, redis_server
):
    """The channel layer's Redis restarted while chat messages and their notifications flow
    (records too; tests/test_scale_out.py covers records alone): the resync brings what
    Redis dropped, every subscriber converges."""
    a, b = servers(**SERVER_ENV), servers(**SERVER_ENV)

    async def restart_redis():
        await asyncio.to_thread(redis_server.restart)

    await run_through_fault((a, b), people, restart_redis)


async def test_a_chat_socket_send_while_postgresql_is_away_waits_and_its_retry_is_stored_once(
    servers, people, database_url
):
    """A message sent over the socket while PostgreSQL is cut gets `database_unavailable`
    (as REST's 503), not the generic `failed` that told the room to drop it for good;
    the same frame again once PostgreSQL is back is stored, once."""
    target = urlsplit(database_url)
    proxy = TcpProxy(target.hostname, target.port or 5432)
    proxy.start()
    through_proxy = database_url.replace(f":{target.port}/", f":{proxy.port}/")
    server = servers(DATABASE_URL=through_proxy, DATABASE_POOL_TIMEOUT="1", **SERVER_ENV)
    conversation = people["conversation"]
    url = f"{server.ws_url}/ws/chat/{conversation.pk}/?token={access_token(people['buyer'])}"
    frame = orjson.dumps({"type": "message", "body": "Still there?", "client_id": "away-1"})

    async def answer(ws) -> dict:
        while True:  # past the presence and typing frames the room also gets
            reply = orjson.loads(await asyncio.wait_for(ws.recv(), CONVERGE_TIMEOUT))
            if reply["type"] in ("ack", "error"):
                return reply

    try:
        async with websockets.connect(url, origin=server.url) as ws:
            await asyncio.to_thread(proxy.cut)
            await ws.send(frame.decode())
            refused = await answer(ws)
            await asyncio.to_thread(proxy.restore)
            assert (refused["type"], refused["code"]) == ("error", "database_unavailable")
            assert "Try again" in refused["message"]
            for _ in range(CONVERGE_TIMEOUT * 5):  # the page retries every 2 s; faster here
                await ws.send(frame.decode())
                reply = await answer(ws)
                if reply["type"] == "ack":
                    break
                assert reply["code"] == "database_unavailable"
                await asyncio.sleep(0.2)
            assert reply["message"]["body"] == "Still there?"
            await ws.send(frame.decode())  # once more: the stored message, not a second
            assert (await answer(ws))["message"]["id"] == reply["message"]["id"]
    finally:
        await asyncio.to_thread(proxy.stop)
    stored = Message.objects.filter(conversation=conversation, client_id="away-1")
    assert await stored.acount() == 1


# Emails -----------------------------------------------------------------------------

EMAILS_RESERVATIONS = 8  # each: the customer's email and the owner's


@pytest.fixture
def mail_worker(database_url, redis_server, smtp, tmp_path):
    """A Celery worker's process on the test database and SMTP server, restartable."""
    broker = redis_server.url.rsplit("/", 1)[0] + "/6"  # a Redis database of its own
    env = {"DATABASE_URL": database_url, "EMAIL_URL": smtp.url}
    worker = CeleryWorker(env=env, broker=broker, log_path=tmp_path / "worker.log")
    yield worker, Celery(broker=broker, backend=broker)
    worker.stop()
    print(f"--- celery worker log ---\n{worker.log_tail()}")


def reservations_with_emails() -> list[OutgoingEmail]:
    owner = User.objects.create_user(username="olivia", password="x-pass-1", email="o@example.com")
    salon = business_create(name="Olivia's Salon", subdomain="olivia", owner=owner)
    starts = datetime(2036, 11, 24, 9, 0, tzinfo=UTC)  # ahead: customers hear of it
    for n in range(EMAILS_RESERVATIONS):
        reservation_create(
            business_id=salon.pk,
            customer_name=f"Customer {n}",
            customer_email=f"customer{n}@example.com",
            service="Haircut",
            starts_at=starts + timedelta(hours=n),
        )
    return list(OutgoingEmail.objects.order_by("id"))


def message_ids(smtp) -> Counter[str]:
    return Counter(email["Message-ID"] for email in smtp.messages)


def expected_message_id(email: OutgoingEmail) -> str:
    return f"<email.{email.pk}@localhost>"  # apps/mailing/services.py, SITE_URL's host


def wait_until(condition: Callable[[], bool], *, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not true after {timeout}s")
        time.sleep(0.02)


def send_due(celery: Celery) -> dict[str, int]:
    return celery.send_task(task_name("send_due_emails")).get(timeout=60)


def test_a_celery_worker_killed_mid_batch_sends_every_email_exactly_once(mail_worker, smtp):
    """SIGKILL the worker while the SMTP server holds its answer to the 4th email of a batch:
    that email was never accepted (no 250), and the emails after it were due but not sent.
    A new worker sends each of them; the mailbox holds every email once, by Message-ID."""
    worker, celery = mail_worker
    emails = reservations_with_emails()
    smtp.hold(4)
    worker.start()
    celery.send_task(task_name("send_due_emails"))  # as beat would; never answered
    assert smtp.held.wait(60)
    worker.kill()
    smtp.release()
    wait_until(lambda: smtp.dropped == 1)  # the server saw its client go, and dropped it
    assert len(smtp.messages) == 3
    worker.start()
    assert send_due(celery) == {"sent": len(emails) - 3}
    smtp.wait_for(len(emails))
    assert message_ids(smtp) == Counter(expected_message_id(email) for email in emails)
    addresses = [address for recipients in smtp.recipients for address in recipients]
    assert sorted(addresses) == sorted(email.address for email in emails)
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {"sent"}
    assert send_due(celery) == {}  # nothing left, nothing again
    print(f"figures: emails {len(emails)}, dropped mid-exchange 1, doubled 0")


def test_a_worker_dying_between_the_smtp_250_and_its_commit_sends_that_one_email_twice(
    mail_worker, smtp
):
    """The one window left, measured: the SMTP server accepted an email (250) and the worker
    died before marking it sent. The next worker cannot know, and sends it again, with the
    same Message-ID (mail systems merge such copies); every other email goes out once."""
    worker, celery = mail_worker
    emails = reservations_with_emails()
    worker.start(TIDEWIRE_FAULT=EMAIL_SENT_BEFORE_MARK)
    celery.send_task(task_name("send_due_emails"))
    assert worker.wait_exit(timeout=60) == CRASH_EXIT_STATUS
    [first] = smtp.wait_for(1)
    worker.start()
    assert send_due(celery) == {"sent": len(emails)}
    smtp.wait_for(len(emails) + 1)
    counts = message_ids(smtp)
    assert counts[first["Message-ID"]] == 2  # the one in the window
    assert set(counts) == {expected_message_id(email) for email in emails}
    assert sum(counts.values()) == len(emails) + 1
