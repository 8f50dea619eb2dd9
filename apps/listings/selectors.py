"""Reads of listings."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Listing


def listing_list(
    *, status: str | None = None, search: str | None = None, seller_id: int | None = None
) -> QuerySet[Listing]:
    """Listings newest first, with their sellers; `search` looks in title and description,
    ignoring case."""
    listings = Listing.objects.select_related("seller").order_by("-created_at", "-id")
    if status is not None:
        listings = listings.filter(status=status)
    if seller_id is not None:
        listings = listings.filter(seller_id=seller_id)
    if search:
        listings = listings.filter(Q(title__icontains=search) | Q(description__icontains=search))
    return listings


def listing_get(*, listing_id: int) -> Listing:
    """One listing with its seller; raises Listing.DoesNotExist."""
    return Listing.objects.select_related("seller").get(pk=listing_id)
