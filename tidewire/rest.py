"""REST helpers for streamed resources: where a read sits in its stream, and versions.

A page that reads through REST and then subscribes from the `Tidewire-Offset` it
got misses nothing: the offset is read before the data, so an event committed in
between is both in the data and replayed (and windows skip versions they have).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from .streams import stream_offset

OFFSET_HEADER = "Tidewire-Offset"
TOPIC_HEADER = "Tidewire-Topic"

# A version is a database integer (a PositiveIntegerField holds at most 2,147,483,647:
# ten digits). The bound keeps int() from a 5,000-digit header (Python refuses > 4,300).
MAX_VERSION_DIGITS = 10
_ETAG = re.compile(rf'^\s*(?:W/)?"([0-9]{{1,{MAX_VERSION_DIGITS}}})"\s*$')


def stream_position(topic: str) -> dict[str, str]:
    """Headers naming the topic and its current offset; read them before the data."""
    return {TOPIC_HEADER: topic, OFFSET_HEADER: str(stream_offset(topic=topic))}


def etag(version: int) -> str:
    """The entity tag of a record version."""
    return f'"{version}"'


def if_match_version(request: Request) -> int | None:
    """The version named by If-Match; None when absent or "*"; 400 when unreadable."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    match = _ETAG.match(header)
    if match is None:
        raise ValidationError(
            {
                "If-Match": [
                    'Expected an entity tag such as "3" (from ETag), '
                    f"a version of at most {MAX_VERSION_DIGITS} digits."
                ]
            }
        )
    return int(match.group(1))


def precondition_failed(current: dict) -> Response:
    """412: the record moved on; the body and ETag carry its current state (with "version")."""
    version = current["version"]
    return Response(
        {
            "detail": f"The record changed: it is at version {version}.",
            "current": current,
        },
        status=status.HTTP_412_PRECONDITION_FAILED,
        headers={"ETag": etag(version)},
    )


class StrictSerializer(serializers.Serializer):
    """Refuses a body that is not an object or names a field the endpoint does not take."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Expected a JSON object."]})
        unknown = sorted(set(data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class NewestFirstPagination(CursorPagination):
    """Cursor pages, 20 by default (`?page_size=` up to 100); subclasses set `ordering`.

    A cursor stays put while rows are added, where an offset would shift.
    """

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def paginated(
    paginator: CursorPagination,
    rows: Iterable[Any],
    request: Request,
    view: Any,
    serialize: Callable[[Any], Any],
    *,
    headers: dict[str, str],
) -> Response:
    """One page of `rows`, each serialized, with `headers` (a stream position read before)."""
    page = paginator.paginate_queryset(rows, request, view=view)
    response = paginator.get_paginated_response([serialize(row) for row in page])
    for header, value in headers.items():
        response[header] = value
    return response


def newest_first_schema(
    operation_id: str,
    item: type[serializers.Serializer],
    *,
    filters: type[serializers.Serializer] | None = None,
) -> Callable[[Any], Any]:
    """`extend_schema` of a NewestFirstPagination list: its filters, the cursor, a page object.

    The page is named after `item` (`ListingOutput` -> `ListingPage`).
    """
    return extend_schema(
        operation_id=operation_id,  # a page object, not a list: name it as one
        parameters=[
            *([filters] if filters is not None else []),
            OpenApiParameter("cursor", str, description="From `next` or `previous`."),
            OpenApiParameter(
                "page_size",
                int,
                description=f"At most {NewestFirstPagination.max_page_size}, "
                f"{NewestFirstPagination.page_size} by default.",
            ),
        ],
        responses=inline_serializer(
            f"{item.__name__.removesuffix('Output')}Page",
            {
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": item(many=True),
            },
        ),
    )
