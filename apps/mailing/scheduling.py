"""Scheduling outgoing emails: one row per fact (its `key`), and batches whose one pending email
collects the facts that join it.

Each function runs inside the caller's transaction, so an email is scheduled if
and only if the change it tells of commits; apps/mailing/services.py sends them.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from apps.notifications.kinds import get_kind

from .models import OutgoingEmail
from .renderers import get_renderer

Status = OutgoingEmail.Status


def _check_destination(kind: str, recipient_id: int | None, to_address: str) -> None:
    """UnknownKind for a typo; ValueError unless exactly one destination, and a plain address
    only for an essential kind (nobody there has preferences, or could unsubscribe)."""
    spec = get_kind(kind)
    if (recipient_id is None) == (not to_address):
        raise ValueError("give either recipient_id or to_address")
    if to_address and not spec.essential:
        raise ValueError(f"{kind!r} is not essential: it goes to users only")


def email_schedule(
    *,
    kind: str,
    renderer: str,
    key: str,
    due_at: datetime,
    recipient_id: int | None = None,
    to_address: str = "",
    context: dict[str, Any] | None = None,
    batch: str = "",
    facts: list[Any] | None = None,
) -> OutgoingEmail:
    """Schedule an email once per `key`; with `batch`, join that batch's pending one.

    A fact already scheduled returns its row as it is. Joining a batch moves its
    pending email's due time earlier when this fact is due sooner, and adds
    `facts` (JSON values, each naming one) to its `context["facts"]`, those not listed
    there already: the renderer then knows every fact its email carries. Runs inside
    the caller's transaction (the fact and its email commit together) or alone.
    """
    _check_destination(kind, recipient_id, to_address)
    get_renderer(renderer)  # UnknownRenderer likewise
    facts = list(facts or [])
    for _ in range(2):  # a second pass after losing a race to another writer
        with transaction.atomic():
            existing = OutgoingEmail.objects.filter(key=key).first()
            if existing is not None:
                return existing
            if batch:
                pending = (
                    OutgoingEmail.objects.select_for_update()
                    .filter(batch=batch, status=Status.PENDING)
                    .first()
                )
                if pending is not None:
                    _join(pending, due_at=due_at, facts=facts)
                    return pending
            try:
                with transaction.atomic():
                    return OutgoingEmail.objects.create(
                        recipient_id=recipient_id,
                        to_address=to_address,
                        kind=kind,
                        renderer=renderer,
                        key=key,
                        batch=batch,
                        due_at=due_at,
                        context={**(context or {}), **({"facts": facts} if facts else {})},
                    )
            except IntegrityError:  # the same key, or the batch's pending email, just committed
                continue
    raise RuntimeError(f"could not schedule email {key!r}")  # pragma: no cover


def _join(pending: OutgoingEmail, *, due_at: datetime, facts: list[Any]) -> None:
    """Add facts to a batch's pending email (locked by the caller), due no later than `due_at`."""
    changed = []
    if due_at < pending.due_at:
        pending.due_at = due_at
        changed.append("due_at")
    listed = pending.context.get("facts", [])
    # The same fact again is listed once; compared as JSON text, so thousands joining
    # thousands (an import into a digest) take a set lookup each, not a scan.
    seen = {json.dumps(fact, sort_keys=True) for fact in listed}
    new = [fact for fact in facts if json.dumps(fact, sort_keys=True) not in seen]
    if new:
        pending.context = {**pending.context, "facts": [*listed, *new]}
        changed.append("context")
    if changed:
        pending.save(update_fields=changed)


def email_schedule_many(
    *, kind: str, renderer: str, due_at: datetime, emails: list[dict[str, Any]]
) -> None:
    """Schedule many emails of one kind at once, outside any batch (an import's confirmations).

    Each item has `key` and `context`, and `recipient_id` or `to_address`. One
    insert for them all; keys scheduled already are left as they are.
    """
    get_renderer(renderer)
    rows = []
    for email in emails:
        recipient_id, to_address = email.get("recipient_id"), email.get("to_address", "")
        _check_destination(kind, recipient_id, to_address)
        rows.append(
            OutgoingEmail(
                recipient_id=recipient_id,
                to_address=to_address,
                kind=kind,
                renderer=renderer,
                key=email["key"],
                due_at=due_at,
                context=email.get("context", {}),
            )
        )
    OutgoingEmail.objects.bulk_create(rows, ignore_conflicts=True)
