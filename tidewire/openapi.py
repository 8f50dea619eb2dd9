"""The OpenAPI schema tells the truth about what the API refuses, not only what it takes.

drf-spectacular documents the success of each operation; the refusals that follow
from how the project is put together are added here, from the view itself, so a new
endpoint gets them without anyone remembering to:

- 400 where the operation reads a body, a query parameter or a header;
- 401 where it needs a login (every view but the token views), 403 where a
  permission beyond a login applies or a session write is CSRF-checked;
- 404 where the path names an object (one the caller may not see is the same 404);
- 413 and 415 where it reads a body (the size limit, JSON only);
- 429 where it is rate-limited (every view).

Each is an `Error` object. Refusals that only some operations make (409 for an
illegal move, 412 for a stale `If-Match`) are declared by their views.

What a request may hold is said as exactly as the server checks it: bodies of a
`StrictSerializer` say `additionalProperties: false` (an unknown field is refused);
`TextField`s carry a pattern excluding the characters `tidewire.text` refuses
(controls, invisible formatting, separators), other strings NUL-free, and both
non-blank unless blank is allowed (fields are trimmed); a RegexField its regex; a
`MoneyField` its strings and whole numbers; a `ServiceChecked` field what its
service checks. A pattern names the refused characters up to U+FFFF but lone surrogates (which UTF-8
cannot carry and regular-expression engines refuse to name); the few refused past
U+FFFF (tags, Egyptian and musical format controls) are left out, as Schemathesis
4.32 rewrites such a pattern into one its own validator refuses. The server refuses
them all the same.
"""

from __future__ import annotations

import functools
import math
import unicodedata
from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.authentication import SessionAuthentication
from rest_framework.fields import CharField
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework_simplejwt.views import TokenViewBase

from .rest import MoneyField, ServiceChecked, StrictSerializer
from .text import MULTILINE_CHARACTERS, REFUSED_CATEGORIES, TextField

ERROR_SCHEMA = {
    "type": "object",
    "description": "A refusal. `detail` says why; a 400 names each refused field instead, "
    'as `{"field": ["message", ...]}`.',
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
REFUSALS = {
    "400": "A parameter, header or body field is refused; the body names it.",
    "401": "No credentials, or a token that is invalid, expired or revoked.",
    "403": "Not allowed: the caller lacks the permission, or a session write lacks its CSRF token.",
    "404": "No such object, or one the caller may not see.",
    "413": "The body is larger than the server takes.",
    "415": "The body is not JSON.",
    "429": "Too many requests; `Retry-After` says when to try again.",
}
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Multi-line text keeps newline and tab, and takes CR (stored as a newline).
MULTILINE_TAKEN = MULTILINE_CHARACTERS | {"\r"}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema of a view, with the refusals the view can make."""

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation["responses"]
        for code in self._refusals(operation):
            responses.setdefault(code, self._error_response(code))
        return operation

    def _refusals(self, operation: dict[str, Any]) -> list[str]:
        view = self.view
        locations = {parameter["in"] for parameter in operation.get("parameters", [])}
        has_body = "requestBody" in operation
        permissions = [type(permission) for permission in view.get_permissions()]
        # The token views take anyone, and answer 401 for credentials they refuse.
        needs_login = isinstance(view, TokenViewBase) or any(
            permission is not AllowAny for permission in permissions
        )
        beyond_login = any(
            permission not in (AllowAny, IsAuthenticated) for permission in permissions
        )
        csrf_checked = self.method in UNSAFE_METHODS and any(
            isinstance(auth, SessionAuthentication) for auth in view.get_authenticators()
        )
        codes = {
            "400": has_body or bool(locations & {"query", "header"}),
            "401": needs_login,
            "403": beyond_login or csrf_checked,
            "404": "path" in locations,
            "413": has_body,
            "415": has_body,
            "429": bool(view.get_throttles()),
        }
        return [code for code, applies in codes.items() if applies]

    def _error_response(self, code: str) -> dict[str, Any]:
        component = ResolvedComponent(
            name="Error", type=ResolvedComponent.SCHEMA, object="Error", schema=ERROR_SCHEMA
        )
        self.registry.register_on_missing(component)
        return {
            "content": {"application/json": {"schema": component.ref}},
            "description": REFUSALS[code],
        }

    def _get_request_for_media_type(self, serializer: Any, direction: str = "request"):
        """A serializer with `patch_takes_every_field` is not made partial for a PATCH."""
        if self.method == "PATCH" and getattr(serializer, "patch_takes_every_field", False):
            self.method = "PUT"
            try:
                return super()._get_request_for_media_type(serializer, direction)
            finally:
                self.method = "PATCH"
        return super()._get_request_for_media_type(serializer, direction)

    def _map_basic_serializer(self, serializer: Any, direction: str) -> dict[str, Any]:
        schema = super()._map_basic_serializer(serializer, direction)
        if isinstance(serializer, StrictSerializer):
            schema["additionalProperties"] = False
        return schema

    def _map_serializer_field(self, field: Any, direction: str, *args: Any, **kwargs: Any):
        if isinstance(field, ServiceChecked):
            if field.serializer is not None:
                schema = self._map_serializer(field.serializer(), direction)
            else:
                schema = dict(field.schema or {})
            return {**schema, **({"description": field.help_text} if field.help_text else {})}
        schema = super()._map_serializer_field(field, direction, *args, **kwargs)
        if isinstance(field, MoneyField):
            return money_schema(field, schema.get("description"))
        if direction != "request" or not isinstance(field, CharField):
            return schema  # what the server writes it does not check
        if schema.get("type") != "string":
            return schema
        if {"pattern", "format", "enum"} & set(schema):
            return schema  # a validator's pattern, or a format, says more
        blank = field.allow_blank or not field.trim_whitespace
        regexes = [v.regex.pattern for v in field.validators if isinstance(v, RegexValidator)]
        if regexes:  # a RegexField's
            schema["pattern"] = regexes[0]
        elif isinstance(field, TextField):
            schema["pattern"] = text_pattern(multiline=field.multiline, blank=blank)
        else:  # DRF refuses NUL in any CharField, and blank (after trimming) unless allowed
            schema["pattern"] = NO_NUL if blank else NO_NUL_NOT_BLANK
        return schema


NO_NUL = "^[^\\u0000]*$"
NO_NUL_NOT_BLANK = "^[^\\u0000]*[^\\u0000\\s][^\\u0000]*$"


def money_schema(field: MoneyField, description: str | None) -> dict[str, Any]:
    """A MoneyField: its strings by their pattern, or a whole number within its bounds."""
    whole_number: dict[str, Any] = {"type": "integer"}
    if field.min_value is not None:
        whole_number["minimum"] = math.ceil(field.min_value)
    if field.max_value is not None:
        whole_number["maximum"] = math.floor(field.max_value)
    schema: dict[str, Any] = {
        "anyOf": [{"type": "string", "pattern": field.pattern}, whole_number],
        "example": "80.50",
    }
    if description:
        schema["description"] = description
    return schema


@functools.cache
def text_pattern(*, multiline: bool = False, blank: bool = True) -> str:
    """A regular expression matching text without a character `tidewire.text` refuses;
    unless `blank`, with something besides white space (fields are trimmed)."""
    taken = {ord(character) for character in MULTILINE_TAKEN} if multiline else set()
    ranges: list[tuple[int, int]] = []
    for point in _refused_points():
        if point in taken:
            continue
        if ranges and ranges[-1][1] == point - 1:
            ranges[-1] = (ranges[-1][0], point)
        else:
            ranges.append((point, point))
    refused = "".join(_class_range(first, last) for first, last in ranges)
    if blank:
        return f"^[^{refused}]*$"
    return f"^[^{refused}]*[^{refused}\\s][^{refused}]*$"


@functools.cache
def _refused_points() -> tuple[int, ...]:
    """Every character up to U+FFFF of a refused category, lone surrogates aside: one pass
    over the 65,536, for all the patterns."""
    return tuple(
        point
        for point in range(0x10000)
        if (category := unicodedata.category(chr(point))) in REFUSED_CATEGORIES and category != "Cs"
    )


def _class_range(first: int, last: int) -> str:
    return _escape(first) if first == last else f"{_escape(first)}-{_escape(last)}"


def _escape(point: int) -> str:
    return f"\\u{point:04x}"


def text_schema(*, max_length: int, multiline: bool = False) -> dict[str, Any]:
    """The schema of required text the service trims and checks (a ServiceChecked field)."""
    return {
        "type": "string",
        "maxLength": max_length,
        "pattern": text_pattern(multiline=multiline, blank=False),
    }
