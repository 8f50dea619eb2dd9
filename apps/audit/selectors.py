"""Reads of the audit log, as each user may see it."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.accounts.roles import is_super_admin

from .models import AuditEntry


def audit_entries_visible_to(user) -> QuerySet[AuditEntry]:
    """Every entry for a super admin; an owner's businesses' entries; none for anyone else."""
    if is_super_admin(user):
        return AuditEntry.objects.all()
    if not user.is_authenticated:
        return AuditEntry.objects.none()
    from apps.bookings.models import Business

    owned = Business.objects.filter(owner_id=user.pk).values("pk")
    return AuditEntry.objects.filter(business_id__in=owned)
