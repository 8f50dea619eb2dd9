"""REST errors as JSON: what Django refuses while reading a request becomes a 4xx with a reason.

Django raises RequestDataTooBig, TooManyFieldsSent and TooManyFilesSent from
`request.body` / `request.data`; outside DRF's own exceptions they left the view,
and Django answered its HTML 400 page (or the debug page): not JSON, and not 413.

The database going away (PostgreSQL restarting, a network cut) raised
OperationalError out of the view: an HTML 500. It is a 503 with `Retry-After`
now, which clients retry. Usually nothing was written; a connection lost during
the COMMIT itself leaves that unknown, so retries carry what makes them safe
(`If-Match` on a record, the same `client_id` for a chat message).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, JsonResponse, UnreadablePostError
from django.views.decorators.csrf import csrf_exempt
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"


# What the database going away raises (PostgreSQL restarting, a network cut, the
# pool's wait for a connection running out). Usually nothing was written; a
# connection lost during the COMMIT leaves that unknown, so a retry carries what
# makes it safe. Sockets answer the same as an error frame (tidewire/consumers.py).
DATABASE_ERRORS = (OperationalError, InterfaceError)
DATABASE_UNAVAILABLE = "The database did not answer. Try again shortly."


class DatabaseUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "database_unavailable"
    default_detail = DATABASE_UNAVAILABLE


# Seconds a client should wait before retrying after a 503: about one pool check
# of PostgreSQL coming back (DATABASE_POOL_TIMEOUT is 5 s).
DATABASE_RETRY_AFTER = 2


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, after turning Django's request-reading refusals into API errors."""
    if isinstance(exc, SuspiciousOperation):
        # Django logs these to django.security.<name>; so do we, then answer.
        logging.getLogger(f"django.security.{type(exc).__name__}").warning(str(exc))
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        exc = RequestTooLarge(f"Request body too large: at most {limit} bytes.")
    elif isinstance(exc, TooManyFieldsSent):
        exc = ParseError(f"Too many fields: at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}.")
    elif isinstance(exc, TooManyFilesSent):
        exc = ParseError(f"Too many files: at most {settings.DATA_UPLOAD_MAX_NUMBER_FILES}.")
    elif isinstance(exc, UnreadablePostError):
        exc = ParseError(f"The request body could not be read: {exc}")
    elif isinstance(exc, DATABASE_ERRORS):
        logging.getLogger(__name__).warning("database unavailable: %s", exc)
        response = drf_exception_handler(DatabaseUnavailable(), context)
        if response is not None:
            response["Retry-After"] = str(DATABASE_RETRY_AFTER)
        return response
    return drf_exception_handler(exc, context)


@csrf_exempt  # it writes nothing, and a 403 page would hide the 404
@login_not_required  # an API caller gets the 404, not a redirect to the login page
def api_not_found(request: HttpRequest) -> JsonResponse:
    """404 as JSON for a path under /api/ that names no endpoint (Django's page is HTML)."""
    return JsonResponse(
        {"detail": f"No API endpoint at {request.path}."}, status=status.HTTP_404_NOT_FOUND
    )
