"""The two sync windows of seeds 000-002: each edits one name and shows the other live."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie

from tidewire.streams import stream_offset

from .events import user_snapshot
from .selectors import user_record_list
from .topics import USERS_TOPIC

# Window 1 edits the first name and shows the last; window 2 the reverse (seed 000).
WINDOWS = {
    1: {"editable": "first_name", "readonly": "last_name", "theme": "purple"},
    2: {"editable": "last_name", "readonly": "first_name", "theme": "pink"},
}


@ensure_csrf_cookie  # the page's script sends it back with every PATCH
def window(request: HttpRequest, window: int) -> HttpResponse:
    """A sync window; the record list is embedded so the page renders before the socket opens."""
    offset = stream_offset(topic=USERS_TOPIC)  # before the data: the socket resumes from it
    records = [user_snapshot(record) for record in user_record_list()]
    context = {
        "offset": offset,
        "window": window,
        **WINDOWS[window],
        "records": records,
        "can_edit": request.user.has_perm("records.change_userrecord"),
        "can_create": request.user.has_perm("records.add_userrecord"),
    }
    return render(request, "records/window.html", context)
