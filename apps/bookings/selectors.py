"""Reads of businesses, reservations and their audit entries, as each user may see them."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.accounts.roles import is_super_admin
from apps.audit.models import AuditEntry

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


def audit_entries_visible_to(user) -> QuerySet[AuditEntry]:
    """Every audit entry for a super admin; those of an owner's businesses; none otherwise.

    Here, not in apps/audit: who owns what is the bookings' to say, and the audit
    log stays an app that knows no other.
    """
    if is_super_admin(user):
        return AuditEntry.objects.all()
    if not user.is_authenticated:
        return AuditEntry.objects.none()
    owned = Business.objects.filter(owner_id=user.pk).values("pk")
    return AuditEntry.objects.filter(business_id__in=owned)


def owner_email_delivery(*, owner_id: int) -> str:
    """How the owner hears of reservations by email: `each` (the default) or `daily_digest`."""
    delivery = (
        OwnerEmailSettings.objects.filter(owner_id=owner_id).values_list("delivery", flat=True)
    ).first()
    return delivery or OwnerEmailSettings.Delivery.EACH
