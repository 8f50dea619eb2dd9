"""The browse page of the marketplace (seed 003): listings as cards that change live."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie

from tidewire.streams import stream_offset

from .api import SEARCH_MAX_LENGTH, ListingFilter
from .events import listing_snapshot
from .models import DESCRIPTION_MAX_LENGTH, PRICE_MAX, TITLE_MAX_LENGTH, Listing
from .selectors import listing_list
from .topics import LISTINGS_TOPIC

# The page shows the newest this many matches; the API pages through all of them.
BROWSE_LIMIT = 100


@ensure_csrf_cookie  # the page's script sends it back with every POST and PATCH
def browse(request: HttpRequest) -> HttpResponse:
    """Listings matching `?search=` and `?status=`, embedded so the socket resumes after them."""
    # The API's rules for the same parameters; a page shows everything rather than a 400.
    filters = ListingFilter(data=request.GET)
    query = filters.validated_data if filters.is_valid() else {}
    search, status = query.get("search", ""), query.get("status", "")
    offset = stream_offset(topic=LISTINGS_TOPIC)  # before the data: the socket resumes from it
    found = listing_list(status=status or None, search=search or None)[: BROWSE_LIMIT + 1]
    listings = [listing_snapshot(listing) for listing in found]
    context = {
        "offset": offset,
        "listings": listings[:BROWSE_LIMIT],
        "more": len(listings) > BROWSE_LIMIT,
        "limit": BROWSE_LIMIT,
        "filters": {"search": search, "status": status},
        "statuses": Listing.Status.values,
        "viewer": {"id": request.user.pk, "username": request.user.get_username()},
        "search_max_length": SEARCH_MAX_LENGTH,
        "title_max_length": TITLE_MAX_LENGTH,
        "description_max_length": DESCRIPTION_MAX_LENGTH,
        "price_max": PRICE_MAX,
    }
    return render(request, "listings/browse.html", context)
