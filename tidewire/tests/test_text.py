"""User-written text: stored in NFC, refused when it hides control or direction characters."""

import re

import pytest
from django import forms
from django.core.exceptions import ValidationError
from rest_framework import serializers

from tidewire.text import InvalidText, TextField, TextValidator, clean_text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Ann\x1b[31m", "contains a control character U+001B"),
        ("Ann\x07", "contains a control character U+0007"),
        ("Ann\x00", "contains a control character U+0000"),
        ("Ann\nSmith", "contains a control character U+000A"),
        ("Ann\tSmith", "contains a control character U+0009"),
        (
            "Ann\u202egnp.exe",
            "contains an invisible formatting character U+202E (RIGHT-TO-LEFT OVERRIDE)",
        ),
        ("Ann\u2066x\u2069", "U+2066 (LEFT-TO-RIGHT ISOLATE)"),
        ("Ann\u200fx", "U+200F (RIGHT-TO-LEFT MARK)"),
        ("An\u200bn", "contains an invisible formatting character U+200B (ZERO WIDTH SPACE)"),
        ("\ufeffAnn", "U+FEFF (ZERO WIDTH NO-BREAK SPACE)"),
        ("An\u00adn", "U+00AD (SOFT HYPHEN)"),
        ("Ann\u2028x", "contains a line separator U+2028"),
        ("Ann\u2029x", "contains a paragraph separator U+2029"),
        ("Ann\ud800", "contains a lone surrogate U+D800"),
        ("Ann\x85", "contains a control character U+0085"),
    ],
)
def test_refused_characters_are_named(text, message):
    with pytest.raises(InvalidText, match=re.escape(message)):
        clean_text(text)


def test_text_is_stored_in_nfc():
    assert clean_text("Rene\u0301e") == "Ren\u00e9e"
    assert clean_text("\u212b") == "\u00c5"  # ANGSTROM SIGN becomes A WITH RING ABOVE


@pytest.mark.parametrize(
    "text",
    [
        "Ann-Marie O'Neil",
        "محمد",  # Arabic: right to left, nothing refused
        "שרה",
        "李小龍",
        "Zoë\u00a0Smith",  # a no-break space is a space
        "مهر\u200cناز",  # noqa: RUF001  Persian: ZERO WIDTH NON-JOINER between letters
        "क्\u200dष",  # Devanagari: ZERO WIDTH JOINER after a virama
        "👩\u200d💻",  # an emoji sequence
        "❤\ufe0f\u200d🔥",  # after a variation selector
    ],
)
def test_ordinary_names_in_any_script_pass(text):
    assert clean_text(text) == text


@pytest.mark.parametrize("text", ["\u200dAnn", "Ann\u200c", "Ann \u200d Lee", "A\u200d\u200dB"])
def test_a_joiner_that_joins_nothing_is_refused(text):
    with pytest.raises(InvalidText, match=r"U\+200[CD]"):
        clean_text(text)


def test_multiline_text_keeps_newlines_and_tabs_only():
    assert clean_text("Hello\r\n\tworld\rbye\n", multiline=True) == "Hello\n\tworld\nbye\n"
    for refused in ("\x1b", "\x07", "\u202e", "\u200b", "\u2028", "\v", "\f"):
        with pytest.raises(InvalidText):
            clean_text(f"Hello{refused}world", multiline=True)


def test_the_validator_refuses_for_models_and_forms():
    class Form(forms.Form):
        email = forms.EmailField(validators=[TextValidator()])

    form = Form({"email": '"a\x1bb"@example.com'})
    assert not form.is_valid()
    assert form.errors["email"] == ["This field contains a control character U+001B."]
    with pytest.raises(ValidationError) as refused:
        TextValidator()("Ann\u202e")
    assert refused.value.code == "invalid_character"
    TextValidator(multiline=True)("two\nlines")
    assert TextValidator() == TextValidator()
    assert TextValidator() != TextValidator(multiline=True)


class NameInput(serializers.Serializer):
    name = TextField(max_length=5)
    body = TextField(multiline=True, required=False)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"name": "A\x1bB"}, "This field contains a control character U+001B."),
        ({"name": 42}, "Must be a string."),
        ({"name": True}, "Must be a string."),
        ({"name": "Rene\u0301e!"}, "Ensure this field has no more than 5 characters."),
    ],
)
def test_the_serializer_field_refuses_naming_the_problem(data, error):
    serializer = NameInput(data=data)
    assert not serializer.is_valid()
    assert serializer.errors["name"] == [error]


def test_the_serializer_field_stores_nfc_and_keeps_lines_when_multiline():
    serializer = NameInput(data={"name": " Rene\u0301e ", "body": "one\r\ntwo"})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data == {"name": "Ren\u00e9e", "body": "one\ntwo"}
