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
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from .streams import stream_offset

OFFSET_HEADER = "Tidewire-Offset"
TOPIC_HEADER = "Tidewire-Topic"

# A version is a database integer (a PositiveIntegerField holds at most 2,147,483,647:
# ten digits). The bound keeps int() from a 5,000-digit header (Python refuses > 4,300).
MAX_VERSION_DIGITS = 10
# What If-Match takes, as the server reads it and the schema shows it: "*", or an
# entity tag, weak or not, whose digits are the version.
IF_MATCH_PATTERN = rf'^\s*(?:\*|(?:W/)?"([0-9]{{1,{MAX_VERSION_DIGITS}}})")\s*$'
_IF_MATCH = re.compile(IF_MATCH_PATTERN)


def stream_position(topic: str) -> dict[str, str]:
    """Headers naming the topic and its current offset; read them before the data."""
    return {TOPIC_HEADER: topic, OFFSET_HEADER: str(stream_offset(topic=topic))}


def etag(version: int) -> str:
    """The entity tag of a record version."""
    return f'"{version}"'


def if_match_version(request: Request) -> int | None:
    """The version named by If-Match; None when absent or "*"; 400 when unreadable."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    match = _IF_MATCH.match(header)
    if match is None:
        raise ValidationError(
            {
                "If-Match": [
                    'Expected an entity tag such as "3" (from ETag), '
                    f"a version of at most {MAX_VERSION_DIGITS} digits."
                ]
            }
        )
    version = match.group(1)
    return None if version is None else int(version)  # None: "*"


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


def read_query(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    """The query string, validated: 400 naming the parameter otherwise. Read as a plain
    dict, so that `?status=` is the value "" (DRF drops a blank form value as absent)."""
    query = serializer_class(data=request.query_params.dict())
    query.is_valid(raise_exception=True)
    return query.validated_data


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

    A cursor stays put while rows are added, where an offset would shift. A cursor
    that is not one of ours, or a page size that is not a whole number from 1, is a
    400 naming it (DRF answers 404 for the one and ignores the other).
    """

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        digits = raw.lstrip("0") if raw.isascii() and raw.isdigit() else ""
        if not digits:
            raise ValidationError(
                {"page_size": [f"A whole number from 1 (at most {self.max_page_size} are sent)."]}
            )
        return self.max_page_size if len(digits) > 3 else min(int(digits), self.max_page_size)

    def decode_cursor(self, request: Request) -> Any:
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError(
                {"cursor": ["Not a cursor of this list: use `next` or `previous` of a page."]}
            ) from None


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


CURSOR_PARAMETER = OpenApiParameter("cursor", str, description="From `next` or `previous`.")
PAGE_SIZE_PARAMETER = OpenApiParameter(
    "page_size",
    {"type": "integer", "minimum": 1},
    description=f"{NewestFirstPagination.page_size} by default; at most "
    f"{NewestFirstPagination.max_page_size} are sent.",
)


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
            CURSOR_PARAMETER,
            PAGE_SIZE_PARAMETER,
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


class MoneyField(serializers.DecimalField):
    """An amount of money: a string such as "80.50" (as the API writes them) or a whole
    number. A JSON fraction (a binary float, which may not hold cents exactly), an
    exponent or surrounding space is refused; DecimalField's own checks follow.

    `pattern` is what the schema shows: the strings all the checks together take
    (digits within `max_digits`, at most `decimal_places` after the point, and not
    zero when the least amount is above zero).
    """

    default_error_messages = {
        "shape": 'A string of digits such as "80.50", or a whole number: no exponent, '
        "space, or fraction as a JSON number (a binary float may not hold cents exactly).",
    }
    SHAPE = re.compile(r"-?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)\Z")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(coerce_to_string=True, **kwargs)
        whole, cents = self.max_digits - self.decimal_places, self.decimal_places
        if self.min_value is not None and self.min_value > 0:  # a non-zero digit somewhere
            fractions = "|".join(
                "0" * zeros + f"[1-9][0-9]{{0,{cents - 1 - zeros}}}" for zeros in range(cents)
            )
            self.pattern = (
                rf"^(?:0*[1-9][0-9]{{0,{whole - 1}}}(?:\.[0-9]{{1,{cents}}})?"
                rf"|0*\.(?:{fractions}))$"
            )
        else:
            self.pattern = (
                rf"^(?:0*[0-9]{{1,{whole}}}(?:\.[0-9]{{1,{cents}}})?|0*\.[0-9]{{1,{cents}}})$"
            )

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int | float | str):
            self.fail("invalid")
        if isinstance(data, float):
            self.fail("shape")
        value = super().to_internal_value(data)  # its own messages for what it refuses
        if isinstance(data, str) and not self.SHAPE.match(data):
            self.fail("shape")
        return value


class ServiceChecked(serializers.JSONField):
    """A field taken as it comes and checked by the service, so that REST and socket frames
    follow one set of rules; `schema` documents those rules in the OpenAPI schema."""

    def __init__(
        self,
        *,
        schema: dict[str, Any] | None = None,
        serializer: type[serializers.Serializer] | None = None,
        **kwargs: Any,
    ) -> None:
        """Documented as `schema`, or as the fields of `serializer` (which the caller checks
        with it, naming the field its own way)."""
        self.schema = schema
        self.serializer = serializer
        super().__init__(**kwargs)
