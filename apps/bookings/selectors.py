"""Reads of businesses and reservations, as each user may see them."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.accounts.roles import is_super_admin

from .models import Business, OwnerEmailSettings, Reservation


def businesses_visible_to(user) -> QuerySet[Business]:
    """Every business for a super admin; an owner's own; none for anyone else."""
    businesses = Business.objects.select_related("owner")
    if is_super_admin(user):
        return businesses
    if not user.is_authenticated:
        return businesses.none()
    return businesses.filter(owner_id=user.pk)


def reservations_visible_to(user) -> QuerySet[Reservation]:
    """Every reservation for a super admin; those of an owner's businesses; none otherwise."""
    reservations = Reservation.objects.select_related("business")
    if is_super_admin(user):
        return reservations
    if not user.is_authenticated:
        return reservations.none()
    return reservations.filter(business__owner_id=user.pk)


def owner_email_delivery(*, owner_id: int) -> str:
    """How the owner hears of reservations by email: `each` (the default) or `daily_digest`."""
    delivery = (
        OwnerEmailSettings.objects.filter(owner_id=owner_id).values_list("delivery", flat=True)
    ).first()
    return delivery or OwnerEmailSettings.Delivery.EACH
