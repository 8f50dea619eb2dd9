"""Reservation emails: the owner hears of each reservation made or cancelled at their
businesses (one email each, or a daily digest), and the customer gets a confirmation of
theirs made or cancelled, always at once.

Scheduled by the services inside their transaction (an email iff the change
commits), as facts named by ids; written when sent, from the data as it is then:
a reservation deleted before its email goes is left out (an email left with
nothing to say is cancelled), and one cancelled before its confirmation goes
gets the cancellation instead; a customer is not told of an appointment that
has begun (an import of past bookings). Deleting a reservation is not cancelling
it: it emails nobody (an import made in error is undone without writing to 500
people).

An import is one fact for its owner: one email lists its reservations (each
customer still gets their own).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone

from apps.mailing.models import OutgoingEmail
from apps.mailing.renderers import Cancel, Outcome, letter_from_templates, register_renderer
from apps.mailing.scheduling import email_schedule, email_schedule_many
from tidewire.conf import tidewire_setting

from . import selectors
from .kinds import CUSTOMER_CONFIRMATION, OWNER_RESERVATIONS
from .models import OwnerEmailSettings, Reservation

OWNER_RENDERER = "bookings.owner_reservations"
CUSTOMER_RENDERER = "bookings.customer_reservation"
CREATED, CANCELLED = "created", "cancelled"
# Reservations listed in an owner's email (an import's first ones); it says how many more.
SHOWN = 50


def digest_due(now: datetime) -> datetime:
    """When a fact of `now` goes in a digest: the next BOOKING_DIGEST_HOUR o'clock, UTC.

    Strictly after `now`: at the hour itself that day's digest may be out already,
    and a fact joining it then would make a second one.
    """
    hour = tidewire_setting("BOOKING_DIGEST_HOUR")
    due = now.astimezone(UTC).replace(hour=hour, minute=0, second=0, microsecond=0)
    return due if due > now else due + timedelta(days=1)


# -- scheduling (the services call these, in their transaction) ---------------------


def reservations_made(*, owner_id: int, reservations: list[Reservation]) -> None:
    """Each customer's confirmation (one insert for an import), and the owner's email."""
    email_schedule_many(
        kind=CUSTOMER_CONFIRMATION.name,
        renderer=CUSTOMER_RENDERER,
        due_at=timezone.now(),
        emails=[
            {
                "key": f"bookings.customer:{r.pk}:{CREATED}",
                "to_address": r.customer_email,
                "context": {"reservation": r.pk, "action": CREATED},
            }
            for r in reservations
        ],
    )
    first, last = reservations[0].pk, reservations[-1].pk
    _tell_owner(
        owner_id,
        key=f"bookings.owner:{owner_id}:reservations:{first}-{last}:{CREATED}",
        facts=[{"reservation": r.pk, "action": CREATED} for r in reservations],
    )


def reservation_cancelled(*, owner_id: int, reservation: Reservation) -> None:
    """The customer's and the owner's emails of a cancellation."""
    fact = f"{reservation.pk}:{CANCELLED}:{reservation.cancelled_at.timestamp():.0f}"
    email_schedule(
        kind=CUSTOMER_CONFIRMATION.name,
        renderer=CUSTOMER_RENDERER,
        key=f"bookings.customer:{fact}",
        due_at=timezone.now(),
        to_address=reservation.customer_email,
        context={"reservation": reservation.pk, "action": CANCELLED},
    )
    _tell_owner(
        owner_id,
        key=f"bookings.owner:{owner_id}:reservation:{fact}",
        facts=[{"reservation": reservation.pk, "action": CANCELLED}],
    )


def _tell_owner(owner_id: int, *, key: str, facts: list[dict[str, Any]]) -> None:
    """An email of its own now, or the facts join the owner's digest of the day."""
    now = timezone.now()
    options: dict[str, Any] = {"due_at": now}
    if (
        selectors.owner_email_delivery(owner_id=owner_id)
        == OwnerEmailSettings.Delivery.DAILY_DIGEST
    ):
        due = digest_due(now)
        options = {"due_at": due, "batch": f"bookings.digest:{owner_id}:{due:%Y-%m-%d}"}
    email_schedule(
        kind=OWNER_RESERVATIONS.name,
        renderer=OWNER_RENDERER,
        key=key,
        recipient_id=owner_id,
        facts=facts,
        **options,
    )


# -- renderers (the send job calls these when the email is due) -------------------


def _still_true(facts: list[dict[str, Any]], owner_id: int) -> tuple[list, list]:
    """The reservations made and cancelled that are still so, and still this owner's."""
    ids = {fact["reservation"] for fact in facts}
    current = {
        r.pk: r
        for r in Reservation.objects.filter(pk__in=ids, business__owner_id=owner_id)
        .select_related("business")
        .order_by("starts_at", "pk")
    }
    made: dict[int, Reservation] = {}
    cancelled: dict[int, Reservation] = {}
    for fact in facts:
        reservation = current.get(fact["reservation"])
        if reservation is None:
            continue  # deleted since, or the business changed hands
        is_cancelled = reservation.status == Reservation.Status.CANCELLED
        if fact["action"] == CANCELLED and is_cancelled:
            cancelled[reservation.pk] = reservation
        elif fact["action"] == CREATED and not is_cancelled:
            made[reservation.pk] = reservation
    return list(made.values()), list(cancelled.values())


def _headline(made: list[Reservation], cancelled: list[Reservation], digest: bool) -> str:
    if digest:
        return f"Your reservations: {len(made)} new, {len(cancelled)} cancelled"
    if len(made) + len(cancelled) > 1:
        return f"{len(made)} new reservations at {(made or cancelled)[0].business.name}"
    reservation, what = (made[0], "New reservation") if made else (cancelled[0], "Cancelled")
    return (
        f"{what} at {reservation.business.name}: {reservation.customer_name}, "
        f"{reservation.service} on {reservation.starts_at:%a %d %b %H:%M} UTC"
    )


@register_renderer(OWNER_RENDERER)
def owner_reservations(email: OutgoingEmail, *, now: datetime) -> Outcome:
    """The owner's email: the reservations made and cancelled it tells of, as they are now."""
    made, cancelled = _still_true(email.context.get("facts", []), email.recipient_id)
    if not made and not cancelled:
        return Cancel("every reservation it told of was deleted or changed since")
    return letter_from_templates(
        "bookings/emails/owner_reservations",
        email,
        {
            "headline": _headline(made, cancelled, digest=bool(email.batch)),
            "made": made[:SHOWN],
            "made_more": max(0, len(made) - SHOWN),
            "cancelled": cancelled[:SHOWN],
            "cancelled_more": max(0, len(cancelled) - SHOWN),
        },
    )


@register_renderer(CUSTOMER_RENDERER)
def customer_reservation(email: OutgoingEmail, *, now: datetime) -> Outcome:
    """The customer's confirmation of their reservation made, or cancelled."""
    action = email.context["action"]
    reservation = (
        Reservation.objects.select_related("business")
        .filter(pk=email.context["reservation"])
        .first()
    )
    if reservation is None:
        return Cancel("the reservation was deleted")
    if reservation.starts_at <= now:  # an import of past bookings: nothing to confirm
        return Cancel("the appointment has begun")
    is_cancelled = reservation.status == Reservation.Status.CANCELLED
    if action == CREATED and is_cancelled:
        return Cancel("cancelled before its confirmation went: the cancellation tells")
    if action == CANCELLED and not is_cancelled:
        return Cancel("no longer cancelled")
    return letter_from_templates(
        f"bookings/emails/customer_{action}", email, {"reservation": reservation}
    )
