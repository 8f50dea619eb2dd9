"""Writes of the chat; each stores its events in the same transaction (HackSoft style).

Messages are idempotent: (sender, client_id) is unique in the database, so a
send retried after a timeout, a reconnect or a reload returns the message
already stored, however late the retry comes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from apps.listings.models import Listing
from apps.moderation.selectors import block_exists, blocks_among
from apps.notifications.services import notifications_read_about, notify_many
from tidewire.publish import publish_all, together
from tidewire.text import InvalidText, clean_text

from . import emails, photos, selectors, topics
from .events import (
    CONVERSATION,
    MESSAGE,
    RECEIPT,
    SENT,
    conversation_summary,
    delivery_status,
    message_snapshot,
    receipt_body,
)
from .kinds import CHAT_MESSAGE
from .models import (
    BODY_MAX_LENGTH,
    CLIENT_ID_MAX_LENGTH,
    Conversation,
    Message,
    MessageImage,
    Participant,
)

# What a client may use as its message id: a UUID, a counter, a timestamp-random mix.
CLIENT_ID = re.compile(rf"^[A-Za-z0-9_.:-]{{1,{CLIENT_ID_MAX_LENGTH}}}$")

# Seed 003 notifies the recipient of every message (CHAT_MESSAGE); read with the message.
MESSAGE_SUBJECT = "chat.message"


class ChatError(ValueError):
    """A write refused for a reason the caller can show; `field` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class ClientIdReused(ChatError):
    """The sender already used this client_id for a different message."""


class Blocked(ChatError):
    """One participant blocked the other: nothing new passes between them (callers answer 403)."""


def check_not_blocked(conversation: Conversation, sender: Any) -> None:
    """Raise Blocked, naming whose block it is, if either participant blocked the other."""
    refusal = _block_refusal(
        conversation, sender, blocks_among([(sender.pk, conversation.other(sender.pk))])
    )
    if refusal is not None:
        raise refusal


def _block_refusal(
    conversation: Conversation, sender: Any, blocks: set[tuple[int, int]]
) -> Blocked | None:
    """Blocked, naming whose block it is, if either side blocked the other (`blocks_among`)."""
    other_id = conversation.other(sender.pk)
    if (sender.pk, other_id) in blocks:
        other = conversation.seller if other_id == conversation.seller_id else conversation.buyer
        return Blocked(
            "user", f"You blocked {other.get_username()}: unblock them to send messages."
        )
    if (other_id, sender.pk) in blocks:
        return Blocked("user", "You cannot send messages here: you were blocked.")
    return None


def clean_body(body: Any, *, optional: bool = False) -> str:
    """A message body as stored: NFC, trimmed, 1 to 5,000 characters (ChatError otherwise).

    `optional` (a message with photos) lets it be blank or missing: "".
    """
    if optional and body is None:
        return ""
    if not isinstance(body, str):
        raise ChatError("body", "body must be a string.")
    try:
        body = clean_text(body, multiline=True).strip()
    except InvalidText as error:
        raise ChatError("body", f"body {error}") from None
    if not body and not optional:
        raise ChatError("body", "body must not be blank.")
    if len(body) > BODY_MAX_LENGTH:
        raise ChatError(
            "body",
            f"body has {len(body)} characters; at most {BODY_MAX_LENGTH:,} are allowed.",
        )
    return body


def check_client_id(client_id: Any) -> str:
    """The client_id if well formed (ChatError naming `client_id` otherwise)."""
    if not isinstance(client_id, str) or not CLIENT_ID.fullmatch(client_id):
        raise ChatError(
            "client_id",
            f"client_id must be 1 to {CLIENT_ID_MAX_LENGTH} letters, digits or _ . : -",
        )
    return client_id


def conversation_open(*, listing_id: int, buyer: Any) -> tuple[Conversation, bool]:
    """The one conversation of this listing and buyer: (conversation, created).

    Raises Listing.DoesNotExist, or ChatError when the buyer is the listing's seller.
    """
    listing = Listing.objects.select_related("seller").get(pk=listing_id)
    if listing.seller_id == buyer.pk:
        raise ChatError("listing", "You cannot contact yourself about your own listing.")
    existing = Conversation.objects.filter(listing_id=listing_id, buyer_id=buyer.pk).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                listing=listing, buyer=buyer, seller=listing.seller, last_activity_at=timezone.now()
            )
            Participant.objects.bulk_create(
                [
                    Participant(conversation=conversation, user_id=buyer.pk),
                    Participant(conversation=conversation, user_id=listing.seller_id),
                ]
            )
            conversation.listing = listing
            conversation.buyer, conversation.seller = buyer, listing.seller
            publish_all(_rows(conversation))
    except IntegrityError:  # the same buyer opened it in another tab at the same moment
        return Conversation.objects.get(listing_id=listing_id, buyer_id=buyer.pk), False
    return conversation, True


@dataclass(frozen=True)
class Send:
    """A message to store, its body and client_id checked."""

    conversation_id: int
    sender: Any
    body: str
    client_id: str
    files: tuple[dict, ...] = ()  # its photos, stored already: MessageImage fields each


# What one send came to: (message, created), or the error it was refused with.
SendResult = tuple[Message, bool] | Exception


def _retry_of(message: Message, send: Send) -> SendResult:
    """A send whose client_id is stored already: that message (ClientIdReused if it differs)."""
    if message.conversation_id != send.conversation_id or message.body != send.body:
        return ClientIdReused("client_id", "client_id was already used for a different message.")
    return message, False


def _stored(sends: Sequence[Send]) -> dict[tuple[int, str], Message]:
    """The messages already stored under these sends' (sender, client_id), in one query."""
    wanted = {(send.sender.pk, send.client_id) for send in sends}
    if not wanted:
        return {}
    rows = Message.objects.filter(
        sender_id__in={sender_id for sender_id, _ in wanted},
        client_id__in={client_id for _, client_id in wanted},
    )
    return {(m.sender_id, m.client_id): m for m in rows if (m.sender_id, m.client_id) in wanted}


def _outcome(result: SendResult) -> tuple[Message, bool]:
    if isinstance(result, Exception):
        raise result
    return result


def message_send(
    *, conversation_id: int, sender: Any, body: Any, client_id: Any, images: Sequence[Any] = ()
) -> tuple[Message, bool]:
    """Store a message and announce it: (message, created).

    `images` are uploaded files (apps/chat/photos.py; with them the body may be
    blank). A second send with the same client_id returns the stored message and
    announces nothing, before any photo is decoded or stored: a failed upload is
    retried safely. Raises ChatError for a bad body, client_id or image,
    ClientIdReused, Blocked when either participant blocked the other (nothing
    is stored), or Conversation.DoesNotExist when the sender is not a
    participant (callers answer 404).
    """
    send = Send(
        conversation_id,
        sender,
        clean_body(body, optional=bool(images)),
        check_client_id(client_id),
    )
    stored = _stored([send]).get((sender.pk, send.client_id))
    if stored is not None:
        return _outcome(_retry_of(stored, send))
    if images:
        send = replace(send, files=tuple(_photos_stored(conversation_id, sender, images)))
    [result] = _store_each([send])
    return _outcome(result)


def messages_send(sends: Sequence[tuple[int, Any, Any, Any]]) -> list[SendResult]:
    """`message_send` of text messages (conversation_id, sender, body, client_id), at once.

    What a server's sockets sent while the previous batch was being written
    (apps/chat/send_queue.py): stored in one transaction, one statement per
    step whatever their number, where each message alone takes about twenty.
    Each send's result is what `message_send` returns or raises for it alone,
    in the same order; the same client_id twice in one batch is one message.
    """
    results: list[SendResult | None] = [None] * len(sends)
    checked: list[tuple[int, Send]] = []
    for index, (conversation_id, sender, body, client_id) in enumerate(sends):
        try:
            send = Send(conversation_id, sender, clean_body(body), check_client_id(client_id))
        except ChatError as error:
            results[index] = error
            continue
        checked.append((index, send))
    stored = _stored([send for _, send in checked])
    first: dict[tuple[int, str], int] = {}  # the first send of each (sender, client_id)
    fresh: list[tuple[int, Send]] = []
    for index, send in checked:
        key = (send.sender.pk, send.client_id)
        if key in stored:
            results[index] = _retry_of(stored[key], send)
        elif key not in first:
            first[key] = index
            fresh.append((index, send))
    for (index, _), result in zip(fresh, _store_each([send for _, send in fresh]), strict=True):
        results[index] = result
    for index, send in checked:  # a client_id repeated within the batch
        if results[index] is None:
            original = results[first[(send.sender.pk, send.client_id)]]
            if isinstance(original, tuple):
                original = _retry_of(original[0], send)
            results[index] = original
    return results


def _store_each(sends: list[Send]) -> list[SendResult]:
    """`_store`; when a client_id raced in from another connection, each send alone."""
    if not sends:
        return []
    try:
        return _store(sends)
    except IntegrityError:  # the same (sender, client_id) committed elsewhere meanwhile
        if len(sends) > 1:
            return [result for send in sends for result in _store_each([send])]
        [send] = sends
        _photos_forget(list(send.files))
        stored = _stored(sends).get((send.sender.pk, send.client_id))
        if stored is None:
            raise
        return [_retry_of(stored, send)]
    except BaseException:  # nothing stored: neither are the photos
        _photos_forget([f for send in sends for f in send.files])
        raise


def _store(sends: list[Send]) -> list[SendResult]:
    """Store and announce new messages in one transaction: each (message, True) or its refusal."""
    results: list[SendResult | None] = [None] * len(sends)
    with transaction.atomic():
        conversations = locked_conversations({send.conversation_id for send in sends})
        participating: list[tuple[int, Send, Conversation]] = []
        for index, send in enumerate(sends):
            conversation = conversations.get(send.conversation_id)
            if conversation is None or send.sender.pk not in (
                conversation.buyer_id,
                conversation.seller_id,
            ):
                results[index] = Conversation.DoesNotExist("no such conversation")
            else:
                participating.append((index, send, conversation))
        blocks = _blocks_in(conversations.values())
        accepted: list[tuple[int, Send, Conversation]] = []
        for index, send, conversation in participating:
            results[index] = _block_refusal(conversation, send.sender, blocks)
            if results[index] is None:
                accepted.append((index, send, conversation))
        if accepted:
            _store_accepted(accepted, results)
    for index, send in enumerate(sends):  # refused: its photos go
        if isinstance(results[index], Exception):
            _photos_forget(list(send.files))
    return results


def _store_accepted(
    accepted: list[tuple[int, Send, Conversation]], results: list[SendResult | None]
) -> None:
    """Insert the messages, announce them, notify and schedule the emails (in the transaction)."""
    messages = Message.objects.bulk_create(
        Message(
            conversation=conversation,
            sender_id=send.sender.pk,
            body=send.body,
            client_id=send.client_id,
        )
        for _, send, conversation in accepted
    )
    _images_stored(messages, [send.files for _, send, _ in accepted])
    announced = [(c, message) for (_, _, c), message in zip(accepted, messages, strict=True)]
    with together():  # the rooms, the inboxes and the notifications: one write, one send
        messages_announce(announced)
        notify_many(
            [
                {
                    "recipient_id": conversation.other(send.sender.pk),
                    "kind": CHAT_MESSAGE.name,
                    "message": f"New message from {send.sender.get_username()}: "
                    f"{send.body or 'a photo'}",
                    "link": f"/chat/{conversation.pk}/",
                    "subject": (MESSAGE_SUBJECT, message.pk),
                    "dedupe_key": f"{MESSAGE_SUBJECT}:{message.pk}",
                }
                for (_, send, conversation), message in zip(accepted, messages, strict=True)
            ]
        )
    # The recipients' emails if these stay unread (apps/chat/emails.py).
    emails.messages_arrived(announced)
    for (index, _, _), message in zip(accepted, messages, strict=True):
        results[index] = (message, True)


def _images_stored(messages: list[Message], files: list[tuple[dict, ...]]) -> None:
    """Store the messages' photos in one insert; each message's `images` read from it after."""
    images = MessageImage.objects.bulk_create(
        MessageImage(message=message, position=position, **fields)
        for message, its_files in zip(messages, files, strict=True)
        for position, fields in enumerate(its_files)
    )
    by_message: dict[int, list[MessageImage]] = {}
    for image in images:
        by_message.setdefault(image.message_id, []).append(image)
    for message in messages:
        known = message.images.all()  # filled here: the snapshots read it without a query
        known._result_cache = by_message.get(message.pk, [])
        known._prefetch_done = True
        message._prefetched_objects_cache = {"images": known}


def locked_conversation(conversation_id: int) -> Conversation:
    """The conversation, its row locked for a new message (with listing and both users)."""
    return _locking().get(pk=conversation_id)


def locked_conversations(conversation_ids: set[int]) -> dict[int, Conversation]:
    """`locked_conversation` of each, by id, locked in id order (no deadlock between batches)."""
    rows = _locking().filter(pk__in=conversation_ids).order_by("pk")
    return {conversation.pk: conversation for conversation in rows}


def _locking():
    return (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("listing", "buyer", "seller")
        .annotate(  # who blocked whom, in the same statement (`_blocks_in`)
            buyer_blocked_seller=block_exists(blocker_field="buyer_id", blocked_field="seller_id"),
            seller_blocked_buyer=block_exists(blocker_field="seller_id", blocked_field="buyer_id"),
        )
    )


def _blocks_in(conversations: Iterable[Conversation]) -> set[tuple[int, int]]:
    """The blocks, as (blocker, blocked), between the participants of conversations read
    by `_locking` (what `blocks_among` would read, without a query of its own)."""
    blocks = set()
    for conversation in conversations:
        if conversation.buyer_blocked_seller:
            blocks.add((conversation.buyer_id, conversation.seller_id))
        if conversation.seller_blocked_buyer:
            blocks.add((conversation.seller_id, conversation.buyer_id))
    return blocks


def message_announce(conversation: Conversation, message: Message) -> None:
    """`messages_announce` of one message."""
    messages_announce([(conversation, message)])


def messages_announce(announced: list[tuple[Conversation, Message]]) -> None:
    """Messages just stored (conversation, message), in order: each the newest of its
    conversation, announced to its room, and each conversation's row to both inboxes once,
    in one write (tidewire.publish_all); inside the sender's transaction.

    A new message (a system line too) brings an archived conversation back to both lists.
    """
    prefetch_related_objects([m for _, m in announced], "images")  # for the snapshots
    conversations: dict[int, Conversation] = {}
    for conversation, message in announced:
        conversation.last_message = message
        conversation.last_activity_at = message.created_at
        conversations[conversation.pk] = conversation
    markers = selectors.participants_with_unread(conversation_ids=list(conversations))
    archived = [p for sides in markers.values() for p in sides.values() if p.archived_at]
    if archived:  # seldom: read first, so the usual message costs no update here
        Participant.objects.filter(pk__in=[p.pk for p in archived]).update(archived_at=None)
        for participant in archived:
            participant.archived_at = None
    Conversation.objects.bulk_update(conversations.values(), ["last_message", "last_activity_at"])
    rooms = [
        (topics.conversation_topic(c.pk), MESSAGE, {"message": message_snapshot(m)})
        for c, m in announced
    ]
    publish_all([*rooms, *_rows_of(list(conversations.values()), markers=markers)])


def _photos_stored(conversation_id: int, sender: Any, images: Sequence[Any]) -> list[dict]:
    """Check who sends, decode and store the photos: each one's MessageImage fields.

    Who may send is checked first (Conversation.DoesNotExist, Blocked), so no
    stranger or blocked person makes the server decode anything.
    """
    conversation = selectors.conversation_for(user_id=sender.pk, conversation_id=conversation_id)
    check_not_blocked(conversation, sender)
    try:
        converted = photos.photos_from_uploads(list(images))
    except photos.PhotoRefused as error:
        raise ChatError("images", f"images: {error}") from None
    stored = []
    for photo in converted:
        name, thumbnail_name = photos.photo_store(photo, conversation_id=conversation_id)
        stored.append(
            {
                "name": name,
                "thumbnail_name": thumbnail_name,
                "content_type": photo.content_type,
                "width": photo.width,
                "height": photo.height,
            }
        )
    return stored


def _photos_forget(stored_files: list[dict]) -> None:
    photos.files_delete([f[key] for f in stored_files for key in ("name", "thumbnail_name")])


def _rows(conversation: Conversation, *, only: int | None = None) -> list[tuple[Any, ...]]:
    """The conversation's row for each participant's inbox (or only `only`'s), to publish."""
    return _rows_of([conversation], only=only)


def _rows_of(
    conversations: list[Conversation],
    *,
    only: int | None = None,
    markers: dict[int, dict[int, Participant]] | None = None,
) -> list[tuple[Any, ...]]:
    """`_rows` of several conversations: both sides' markers and unread counts in one query
    (none when the caller read them already, `participants_with_unread`)."""
    if markers is None:
        markers = selectors.participants_with_unread(conversation_ids=[c.pk for c in conversations])
    lasts = [c.last_message for c in conversations if c.last_message is not None]
    prefetch_related_objects(lasts, "images")  # once for both rows (none if done)
    rows = []
    for conversation in conversations:
        sides = markers[conversation.pk]
        last = conversation.last_message
        for user_id, other in (
            (conversation.buyer_id, conversation.seller),
            (conversation.seller_id, conversation.buyer),
        ):
            if only is not None and user_id != only:
                continue
            summary = conversation_summary(
                conversation,
                user_id=user_id,
                unread_count=sides[user_id].unread,
                other_username=other.get_username(),
                last_status=SENT if last is None else delivery_status(last, sides),
                archived=sides[user_id].archived_at is not None,
            )
            rows.append((topics.inbox_topic(user_id), CONVERSATION, {"conversation": summary}))
    return rows


def conversation_mark(
    *, conversation_id: int, user_id: int, up_to: int, read: bool
) -> tuple[Participant, bool]:
    """Move the user's delivered (and, with `read`, read) marker forward to `up_to`.

    Markers never move back, nor past the conversation's newest message. Returns
    the participant and whether anything moved; a move is announced as a
    `receipt` in the conversation and, when the unread count changes, as the
    user's row in their inbox. Raises Participant.DoesNotExist for a non-participant.
    """
    with transaction.atomic():
        participant = Participant.objects.select_for_update().get(
            conversation_id=conversation_id, user_id=user_id
        )
        up_to = min(up_to, selectors.latest_message_id(conversation_id=conversation_id))
        delivered = max(participant.delivered_up_to, up_to)
        read_up_to = max(participant.read_up_to, up_to) if read else participant.read_up_to
        if (delivered, read_up_to) == (participant.delivered_up_to, participant.read_up_to):
            return participant, False
        read_moved = read_up_to != participant.read_up_to
        previously_read = participant.read_up_to
        participant.delivered_up_to, participant.read_up_to = delivered, read_up_to
        participant.save(update_fields=["delivered_up_to", "read_up_to"])
        conversation = Conversation.objects.select_related(
            "listing", "buyer", "seller", "last_message"
        ).get(pk=conversation_id)
        # The receipt, and the rows: the reader's unread count, the other side's tick.
        receipt = (topics.conversation_topic(conversation_id), RECEIPT, receipt_body(participant))
        rows = _rows(conversation, only=None if read_moved else conversation.other(user_id))
        publish_all([receipt, *rows])
        if read_moved:  # the messages' notifications are read with them
            newly_read = Message.objects.filter(
                conversation_id=conversation_id, id__gt=previously_read, id__lte=read_up_to
            ).exclude(sender_id=user_id)
            notifications_read_about(
                recipient_id=user_id,
                subject_type=MESSAGE_SUBJECT,
                subject_ids=newly_read.values("id"),
            )
    return participant, True


def participant_seen(*, conversation_id: int, user_id: int) -> None:
    """Note that the user was in the conversation just now ("last seen")."""
    Participant.objects.filter(conversation_id=conversation_id, user_id=user_id).update(
        last_seen_at=timezone.now()
    )
