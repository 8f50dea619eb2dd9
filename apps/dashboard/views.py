"""Pages: `/dashboard/` (super admins) and `/business/` (an owner's live reservations)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import ensure_csrf_cookie

from apps.accounts.roles import is_super_admin
from apps.bookings.events import business_snapshot, reservation_snapshot
from apps.bookings.models import Business
from apps.bookings.selectors import owner_email_delivery
from apps.bookings.topics import business_topic
from tidewire.conf import tidewire_setting
from tidewire.streams import stream_offset

from .periods import CHART_RANGES, server_time_zone
from .selectors import (
    BUSINESSES_SHOWN,
    FEED_TYPES,
    businesses_for_board,
    reservations_upcoming_first,
)

RANGE_LABELS = {"24h": "24 h", "7d": "7 d", "30d": "30 d"}
# The dashboard's four numbers (selectors.dashboard_counts), as the page names them.
COUNT_CARDS = [
    ("businesses", "Businesses", "all of them"),
    ("reservations_today", "Reservations today", "starting today, not cancelled"),
    ("upcoming", "Upcoming", "from now on, not cancelled"),
    ("cancelled_this_week", "Cancelled this week", "since Monday"),
]


@ensure_csrf_cookie  # the bell's POSTs (mark read) send it back
def dashboard(request: HttpRequest) -> HttpResponse:
    """The page's frame; its script reads the state through /api/dashboard/ and follows it."""
    if not is_super_admin(request.user):
        raise PermissionDenied("The dashboard is for super admins.")
    chart_range = request.GET.get("range")
    event_type = request.GET.get("type")
    context = {
        "count_cards": COUNT_CARDS,
        "ranges": [(name, RANGE_LABELS[name]) for name in CHART_RANGES],
        "feed_types": FEED_TYPES,
        "initial": {
            "range": chart_range if chart_range in CHART_RANGES else "24h",
            "type": event_type if event_type in FEED_TYPES else "",
            "time_zone": str(server_time_zone()),
        },
    }
    return render(request, "dashboard/dashboard.html", context)


@ensure_csrf_cookie
def business(request: HttpRequest) -> HttpResponse:
    """Each business the user may follow with its reservations, and its topic's offset."""
    now = timezone.now()
    businesses = businesses_for_board(user=request.user)
    boards = []
    for shown in businesses:
        topic = business_topic(shown.pk)
        offset = stream_offset(topic=topic)  # before the data: the socket resumes from it
        reservations = reservations_upcoming_first(user=request.user, business_id=shown.pk, now=now)
        boards.append(
            {
                "business": {**business_snapshot(shown), "owner": shown.owner.get_username()},
                "topic": topic,
                "offset": offset,
                "reservations": [reservation_snapshot(r) for r in reservations],
            }
        )
    context = {
        "boards": boards,
        "capped": len(boards) == BUSINESSES_SHOWN,
        "shown": BUSINESSES_SHOWN,
        "sees_all": is_super_admin(request.user),
        # An owner chooses how reservations reach them by email (apps/bookings/emails.py).
        "owns_business": Business.objects.filter(owner_id=request.user.pk).exists(),
        "email_delivery": owner_email_delivery(owner_id=request.user.pk),
        "digest_hour": tidewire_setting("BOOKING_DIGEST_HOUR"),
    }
    return render(request, "dashboard/business.html", context)
