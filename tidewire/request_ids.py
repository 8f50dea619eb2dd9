"""A request id on every HTTP request: the caller's `X-Request-ID`, or a new one.

Logged on every line about the request (tidewire.logs.LogContext) and sent back
in the response's `X-Request-ID`, so a user's report, nginx's access log and
ours name the same request.

The id is not reset on the way out: Django logs a response's status (django.request)
after the middleware chain returns, and each request runs in a context of its own
(a task per request; asgiref copies a sync call's context changes back to it).
"""

from __future__ import annotations

import re
import uuid

from django.http import HttpRequest, HttpResponse

from .around_request import AroundRequest
from .logs import request_id

HEADER = "X-Request-ID"
# What we take from a caller (nginx's $request_id is 32 hex digits; a UUID is 36):
# anything else is replaced, so a log line cannot be forged through the header.
_ACCEPTED = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def request_id_of(request: HttpRequest) -> str:
    given = request.headers.get(HEADER, "")
    return given if _ACCEPTED.match(given) else uuid.uuid4().hex


class RequestIdMiddleware(AroundRequest):
    """Sets the request id for the request's log lines and answers it in `X-Request-ID`."""

    def before(self, request: HttpRequest) -> None:
        request_id.set(request_id_of(request))

    def after(self, request: HttpRequest, response: HttpResponse, state: None) -> None:
        response[HEADER] = request_id.get()
