"""The REST API's JSON parser: any body, however hostile, is parsed or refused with a 400.

DRF's own parser hands the body to the standard library, which recurses once per
level of nesting: 50,000 `[` in a row raised RecursionError, a 500, before any
view or serializer could look at the data. orjson stops at 1,024 levels with a
clean error; this parser sets a tighter limit, and refuses integers that do not
fit in 64 bits instead of letting them turn into floats.
"""

from __future__ import annotations

import json
import re
from typing import IO, Any

import orjson
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# Request bodies are flat objects (one level) or hold a list ({"ids": [1, 2]}: two);
# 32 leaves clients room while a hostile body stops long before orjson's 1,024.
MAX_JSON_DEPTH = 32

# Integers fit a signed 64-bit number, as PostgreSQL's bigint. orjson reads
# integers up to 2**64 - 1 exactly and turns larger ones into floats, losing digits.
MIN_JSON_INTEGER = -(2**63)
MAX_JSON_INTEGER = 2**63 - 1
# No integer literal in range has more digits than this ("-9223372036854775808"):
# longer ones are refused without int(), which itself refuses over 4,300 digits.
_MAX_INTEGER_CHARS = len(str(MIN_JSON_INTEGER))

# Any integer outside 64 bits has at least 19 digits: a body without such a run
# needs no second look.
_LONG_DIGITS = re.compile(rb"[0-9]{19}")
_INTEGER_LITERAL = re.compile(r"-?[0-9]+(?![0-9.eE])")

_TOO_DEEP = f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels of arrays and objects."
_OUT_OF_RANGE = (
    "JSON parse error - an integer is out of range: integers must lie between "
    f"{MIN_JSON_INTEGER} and {MAX_JSON_INTEGER} (64 bits)."
)


class JSONParser(parsers.JSONParser):
    """Parses `application/json` with orjson, within MAX_JSON_DEPTH and 64-bit integers.

    A subclass of DRF's, which DRF hands `request.body` rather than the raw stream:
    reading it applies Django's DATA_UPLOAD_MAX_MEMORY_SIZE.
    """

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: dict[str, Any] | None = None,
    ) -> Any:
        body = _utf8(stream.read(), parsers.get_encoding(parser_context or {}))
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as error:
            raise _refusal(error) from None
        # Both checks start with a scan in C that clears nearly every body at once.
        if body.count(b"[") + body.count(b"{") > MAX_JSON_DEPTH and _too_deep(data):
            raise ParseError(_TOO_DEEP)
        if _LONG_DIGITS.search(body):
            _check_integers(body)
        return data


def _refusal(error: orjson.JSONDecodeError) -> ParseError:
    """orjson's complaint, in this parser's words where it has its own limit."""
    if error.msg.startswith("depth limit"):
        return ParseError(_TOO_DEEP)
    # An integer literal too long even for a double: orjson calls it "infinity".
    if isinstance(error.doc, str) and _INTEGER_LITERAL.match(error.doc, error.pos):
        return ParseError(_OUT_OF_RANGE)
    return ParseError(f"JSON parse error - {error}")


def _utf8(raw: bytes, encoding: str) -> bytes:
    """The body as UTF-8 (JSON's own encoding), whatever charset the request named."""
    if encoding.lower().replace("_", "-") in {"utf-8", "utf8"}:
        return raw
    try:
        return raw.decode(encoding).encode()
    except UnicodeError as error:
        raise ParseError(f"JSON parse error - the body is not valid {encoding}: {error}") from None


def _too_deep(data: Any) -> bool:
    """Whether arrays and objects nest deeper than MAX_JSON_DEPTH (the top level is 1)."""
    stack = [(data, 1)] if isinstance(data, dict | list) else []
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return True
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _check_integers(body: bytes) -> None:
    """Refuse an integer literal outside 64 bits (the body is known to be shallow by now).

    orjson reads integers up to 2**64 - 1 exactly and turns larger ones into floats,
    so its result cannot tell `1e19` from an integer that lost its digits: the
    standard library's parser, which hands over each integer literal, can.
    """
    try:
        json.loads(body, parse_int=_bounded_int)
    except ValueError as error:  # orjson took the body; kept for safety's sake
        raise ParseError(f"JSON parse error - {error}") from None


def _bounded_int(literal: str) -> int:
    if len(literal) > _MAX_INTEGER_CHARS or not (
        MIN_JSON_INTEGER <= int(literal) <= MAX_JSON_INTEGER
    ):
        raise ParseError(_OUT_OF_RANGE)
    return int(literal)
