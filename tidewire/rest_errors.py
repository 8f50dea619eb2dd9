"""REST errors as JSON: what Django refuses while reading a request becomes a 4xx with a reason.

Django raises RequestDataTooBig, TooManyFieldsSent and TooManyFilesSent from
`request.body` / `request.data`; outside DRF's own exceptions they left the view,
and Django answered its HTML 400 page (or the debug page): not JSON, and not 413.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import UnreadablePostError
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"


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
    return drf_exception_handler(exc, context)
