"""The REST API's JSON parser: hostile bodies are refused with a ParseError (400), never a 500."""

import io

import pytest
from rest_framework.exceptions import ParseError

from tidewire.parsers import MAX_JSON_DEPTH, MAX_JSON_INTEGER, MIN_JSON_INTEGER, JSONParser


def parse(body: str | bytes, encoding: str = "utf-8"):
    raw = body.encode(encoding) if isinstance(body, str) else body
    return JSONParser().parse(io.BytesIO(raw), "application/json", {"encoding": encoding})


def nested(depth: int, opening: str = "[", closing: str = "]") -> str:
    return opening * depth + closing * depth


def test_an_ordinary_body_parses():
    assert parse('{"first_name": "Ada", "ids": [1, 2], "n": null}') == {
        "first_name": "Ada",
        "ids": [1, 2],
        "n": None,
    }


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 1_025, 50_000])
def test_arrays_nested_past_the_limit_are_refused_naming_the_limit(depth):
    with pytest.raises(ParseError, match=f"nested deeper than {MAX_JSON_DEPTH} levels"):
        parse(nested(depth))


def test_objects_nested_past_the_limit_are_refused():
    body = '{"a":' * (MAX_JSON_DEPTH + 1) + "1" + "}" * (MAX_JSON_DEPTH + 1)
    with pytest.raises(ParseError, match="nested deeper"):
        parse(body)


def test_nesting_up_to_the_limit_parses():
    value = parse(nested(MAX_JSON_DEPTH))
    for _ in range(MAX_JSON_DEPTH - 1):
        [value] = value
    assert value == []


def test_brackets_inside_strings_are_text_not_nesting():
    text = "[" * 5_000
    assert parse(f'{{"first_name": "{text}"}}') == {"first_name": text}


@pytest.mark.parametrize(
    "literal",
    [str(MAX_JSON_INTEGER + 1), str(2**64 - 1), str(2**64), str(MIN_JSON_INTEGER - 1), "9" * 5_000],
)
def test_integers_outside_64_bits_are_refused(literal):
    with pytest.raises(ParseError, match="integer is out of range"):
        parse(f'{{"up_to": {literal}}}')


def test_integers_at_the_64_bit_bounds_and_long_digit_strings_parse():
    body = f'[{MAX_JSON_INTEGER}, {MIN_JSON_INTEGER}, 1e19, 0.12345678901234567890, "{"9" * 40}"]'
    assert parse(body) == [MAX_JSON_INTEGER, MIN_JSON_INTEGER, 1e19, 0.12345678901234568, "9" * 40]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"{not json", "unexpected character"),
        (b'{"a": NaN}', "unexpected character"),
        (b'{"a": 1e400}', "infinity"),
        (b'{"a": "\xff"}', "UTF-8"),
        (b'{"a": "\\ud800"}', "surrogate"),
    ],
)
def test_malformed_bodies_are_refused_naming_the_problem(body, problem):
    with pytest.raises(ParseError, match=problem) as refused:
        parse(body)
    assert str(refused.value.detail).startswith("JSON parse error - ")


def test_a_body_in_the_charset_it_names_parses():
    assert parse('{"first_name": "Zoë"}', encoding="latin-1") == {"first_name": "Zoë"}


def test_a_body_not_in_the_charset_it_names_is_refused():
    with pytest.raises(ParseError, match="not valid utf-16"):
        parse(b'{"a": 1}\x00', encoding="utf-16")
