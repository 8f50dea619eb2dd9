"""The schema's claims agree with the server's checks: what the schema's patterns take,
the fields take, and the schema lists the refusals each view can make."""

import re
import unicodedata
from decimal import Decimal

import pytest
from drf_spectacular.generators import SchemaGenerator
from hypothesis import given, settings
from hypothesis import strategies as st

from tidewire.openapi import text_pattern
from tidewire.rest import MoneyField
from tidewire.text import InvalidText, clean_text

BMP = st.characters(max_codepoint=0xFFFF, exclude_categories=["Cs"])
# Drawn often, so that each is tried: every character of the categories in question.
SUSPECTS = st.sampled_from(
    [
        chr(point)
        for point in range(0x10000)
        if unicodedata.category(chr(point)) in ("Cc", "Cf", "Zl", "Zp", "Zs")
    ]
)
SETTINGS = settings(max_examples=1000, derandomize=True, database=None, deadline=None)


def python(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern.removesuffix("$") + r"\Z")


def taken(text: str, multiline: bool) -> bool:
    try:
        clean_text(text, multiline=multiline)
    except InvalidText:
        return False
    return True


@pytest.mark.parametrize("multiline", [False, True])
def test_every_character_the_pattern_takes_clean_text_takes_and_back(multiline):
    """Each character up to U+FFFF, alone and between letters (the two joiners are
    taken there only: the schema never offers them)."""
    pattern = python(text_pattern(multiline=multiline))
    for point in range(0x10000):
        character = chr(point)
        if unicodedata.category(character) == "Cs":
            continue  # lone surrogates: not in the pattern (see tidewire.openapi)
        for text in (character, f"a{character}b"):
            matches = pattern.match(text) is not None
            if character in "\u200c\u200d":
                assert not matches
            else:
                assert matches == taken(text, multiline), (multiline, hex(point))


@pytest.mark.parametrize("multiline", [False, True])
@SETTINGS
@given(text=st.text(BMP | SUSPECTS, max_size=12))
def test_text_the_pattern_takes_is_text_clean_text_takes(multiline, text):
    if python(text_pattern(multiline=multiline)).match(text):
        assert taken(text, multiline), repr(text)


@pytest.mark.parametrize("least", [Decimal("0"), Decimal("0.01")])
@SETTINGS
@given(text=st.from_regex(r"\A[0-9.]{0,13}\Z") | st.text(max_size=12))
def test_money_the_pattern_takes_is_money_the_field_takes(least, text):
    field = MoneyField(
        max_digits=10, decimal_places=2, min_value=least, max_value=Decimal("99999999.99")
    )
    matches = python(field.pattern).match(text) is not None
    try:
        field.run_validation(text)
        taken = True
    except Exception:
        taken = False
    assert matches == taken, repr(text)


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_every_operation_lists_the_refusals_its_view_can_make(schema):
    patch = schema["paths"]["/api/listings/{listing_id}/"]["patch"]
    assert {"200", "400", "401", "403", "404", "413", "415", "429"} <= set(patch["responses"])
    listing_list = schema["paths"]["/api/listings/"]["get"]
    assert {"400", "401", "429"} <= set(listing_list["responses"])
    assert "404" not in listing_list["responses"]  # no path id: nothing to miss
    token = schema["paths"]["/api/auth/token/"]["post"]
    assert "401" in token["responses"]  # taken from anyone, refused for bad credentials
    summary = schema["paths"]["/api/dashboard/summary/"]["get"]
    assert "403" in summary["responses"]  # super admins only


def test_strict_bodies_refuse_unknown_fields_and_ids_are_integers(schema):
    components = schema["components"]["schemas"]
    assert components["ListingInput"]["additionalProperties"] is False
    parameter = schema["paths"]["/api/listings/{listing_id}/"]["get"]["parameters"][0]
    assert parameter["schema"]["type"] == "integer"
