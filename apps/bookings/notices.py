"""Who hears of a booking fact in the bell, and in what words. The services call these inside
their transaction, so a notification exists if and only if its change commits.

Super admins hear of new businesses and of reservations made or cancelled anywhere
(`booking_activity`); an owner of those at their businesses (`booking_reservation`).
Nobody is notified of their own change. Dedupe keys name the fact.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model

from apps.audit.services import Actor
from apps.notifications.services import notify

from .changes import business_message, reservation_message
from .kinds import OWNER_RESERVATIONS, PLATFORM_ACTIVITY
from .models import Business, Reservation

DASHBOARD_PATH = "/dashboard/"  # the super admins' page (BRIEF)
BUSINESS_PATH = "/business/"  # an owner's live reservations (BRIEF)


def _super_admin_ids() -> list[int]:
    users = get_user_model().objects.filter(is_superuser=True, is_active=True)
    return list(users.order_by("pk").values_list("pk", flat=True))


def _tell(
    recipient_ids: Iterable[int],
    *,
    owner_id: int | None,
    actor: Actor,
    message: str,
    dedupe_key: str,
    subject: tuple[str, int],
) -> None:
    """One notification per recipient (the owner's of their kind), the actor left out."""
    for recipient_id in dict.fromkeys(recipient_ids):  # an owner who is a super admin: once
        if recipient_id == actor.user_id:
            continue
        owner = recipient_id == owner_id
        notify(
            recipient_id=recipient_id,
            kind=(OWNER_RESERVATIONS if owner else PLATFORM_ACTIVITY).name,
            message=message,
            dedupe_key=dedupe_key,
            link=BUSINESS_PATH if owner else DASHBOARD_PATH,
            subject=subject,
        )


def business_created(business: Business, actor: Actor) -> None:
    _tell(
        _super_admin_ids(),
        owner_id=None,
        actor=actor,
        message=business_message("created", business),
        dedupe_key=f"bookings.business:{business.pk}:created",
        subject=("bookings.business", business.pk),
    )


def reservations_created(business: Business, reservations: list[Reservation], actor: Actor) -> None:
    """One notification per recipient for one reservation, and for an import of 500 too.

    A notification costs each recipient some five statements (preference, insert,
    its event, the unread count): one per reservation would make an import of 500
    thousands of statements, and 500 bell entries nobody reads. An import is one fact.
    """
    if len(reservations) == 1:
        [reservation] = reservations
        message = reservation_message("created", reservation)
        key = f"bookings.reservation:{reservation.pk}:created"
        subject = ("bookings.reservation", reservation.pk)
    else:
        first, last = reservations[0].pk, reservations[-1].pk
        message = f"{len(reservations)} reservations imported at '{business.name}'"
        key = f"bookings.reservations:{first}-{last}:imported"
        subject = ("bookings.business", business.pk)
    _tell(
        [business.owner_id, *_super_admin_ids()],
        owner_id=business.owner_id,
        actor=actor,
        message=message,
        dedupe_key=key,
        subject=subject,
    )


def reservation_cancelled(reservation: Reservation, actor: Actor, message: str) -> None:
    owner_id = reservation.business.owner_id
    _tell(
        [owner_id, *_super_admin_ids()],
        owner_id=owner_id,
        actor=actor,
        message=message,
        # Cancelled again after being restored is a new fact: its time names it.
        dedupe_key=f"bookings.reservation:{reservation.pk}:cancelled:"
        f"{reservation.cancelled_at.timestamp():.0f}",
        subject=("bookings.reservation", reservation.pk),
    )
