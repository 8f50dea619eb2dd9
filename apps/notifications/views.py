"""The notifications page: every notification, filterable, live."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie

from .kinds import all_kinds


@ensure_csrf_cookie
def notification_page(request: HttpRequest) -> HttpResponse:
    """The page reads its list through the API (cursor pages) and follows the user's topic."""
    kinds = [{"name": kind.name, "label": kind.label} for kind in all_kinds()]
    return render(request, "notifications/page.html", {"kinds": kinds})
