"""Text people type: names and titles (one line) and message bodies (several lines).

Every name and title a user provides goes through `clean_text`, whoever writes it
(API, admin, form, service): it is stored in NFC, so one name has one spelling,
and it may not carry characters that change how text around it reads while
showing nothing themselves. `Ann\\u202egnp.exe` showed as "Annexe.png"; ESC, BEL,
zero-width characters and line breaks hid in names.

Refused, by Unicode category: Cc (controls: ESC, BEL, NUL, newline), Cf (format:
direction overrides and marks, zero-width space, soft hyphen, byte-order mark),
Zl and Zp (line and paragraph separators) and Cs (lone surrogates, which no
encoding can store). Multi-line text keeps newline and tab (CR LF and CR become
newline). The two joiners, U+200C and U+200D, stay between two visible characters:
Persian and Indic spellings and emoji sequences need them there (as IDNA allows
them in context, RFC 5892); anywhere else they are refused like any Cf.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from rest_framework import serializers

REFUSED_CATEGORIES = {
    "Cc": "a control character",
    "Cf": "an invisible formatting character",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
    "Cs": "a lone surrogate",
}
# What multi-line text (a chat message) may hold besides single-line text.
MULTILINE_CHARACTERS = frozenset("\n\t")
JOINERS = frozenset("\u200c\u200d")  # ZERO WIDTH NON-JOINER, ZERO WIDTH JOINER
# A joiner joins letters, marks (a virama, a variation selector) and emoji.
_JOINABLE = ("L", "M", "So", "Sk")


class InvalidText(ValueError):
    """Text holding a refused character; the message names it ("contains ... U+001B")."""

    def __init__(self, character: str, kind: str) -> None:
        name = unicodedata.name(character, "")
        described = f"{kind} U+{ord(character):04X}" + (f" ({name})" if name else "")
        super().__init__(f"contains {described}")
        self.character = character


def clean_text(value: str, *, multiline: bool = False) -> str:
    """`value` in NFC; raises InvalidText for the first refused character.

    `multiline` lets newline and tab through (CR LF and CR become newline).
    """
    text = unicodedata.normalize("NFC", value)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # isprintable() is False for every refused category (and for a few allowed
    # ones, such as no-break space): a fast pass for nearly all text.
    if text.isprintable():
        return text
    for index, character in enumerate(text):
        if multiline and character in MULTILINE_CHARACTERS:
            continue
        kind = REFUSED_CATEGORIES.get(unicodedata.category(character))
        if kind is not None and not (character in JOINERS and _joins(text, index)):
            raise InvalidText(character, kind)
    return text


def clean_line(value: object, *, max_length: int) -> str:
    """A required one-line string as services store it: cleaned, trimmed, not blank, not too long.

    Raises InvalidText or ValueError with a message to follow the field's name.
    """
    return _clean_required(value, max_length=max_length, multiline=False)


def clean_paragraph(value: object, *, max_length: int) -> str:
    """`clean_line` for text that may hold newlines and tabs (a report's reason)."""
    return _clean_required(value, max_length=max_length, multiline=True)


def _clean_required(value: object, *, max_length: int, multiline: bool) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    text = clean_text(value, multiline=multiline).strip()
    if not text:
        raise ValueError("may not be blank")
    if len(text) > max_length:
        raise ValueError(f"has more than {max_length} characters")
    return text


def clean_fields(
    values: dict[str, Any], cleaners: dict[str, Callable[[Any], Any]]
) -> dict[str, Any]:
    """Each value through its field's cleaner, as a service stores it.

    A cleaner raises ValueError (InvalidText is one) saying what is wrong; this
    raises it again as "<field> <what is wrong>", so every caller can name the field.
    """
    cleaned = {}
    for field, value in values.items():
        try:
            cleaned[field] = cleaners[field](value)
        except ValueError as error:
            raise ValueError(f"{field} {error}") from None
    return cleaned


def _joins(text: str, index: int) -> bool:
    """Whether the joiner at `index` stands between two visible characters."""
    if index == 0 or index == len(text) - 1:
        return False
    neighbours = (text[index - 1], text[index + 1])
    return all(unicodedata.category(c).startswith(_JOINABLE) for c in neighbours)


def _message(error: InvalidText) -> str:
    return f"This field {error}."


@deconstructible
class TextValidator:
    """A Django validator (model fields, forms) refusing what `clean_text` refuses.

    It checks, it cannot normalise: forms and services store `clean_text`'s result.
    """

    code = "invalid_character"

    def __init__(self, *, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, value: Any) -> None:
        if isinstance(value, str):
            try:
                clean_text(value, multiline=self.multiline)
            except InvalidText as error:
                raise ValidationError(_message(error), code=self.code) from None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextValidator) and other.multiline == self.multiline

    def __hash__(self) -> int:
        return hash((type(self), self.multiline))


class TextField(serializers.CharField):
    """A DRF field for names, titles and (multiline=True) message bodies.

    Takes strings only (a number or a boolean is refused, not turned into text),
    stores them in NFC and refuses what `clean_text` refuses, naming the character.
    """

    default_error_messages = {
        "invalid": "Must be a string.",
        "invalid_character": "{problem}",
    }

    def __init__(self, *, multiline: bool = False, **kwargs: Any) -> None:
        self.multiline = multiline
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            return clean_text(super().to_internal_value(data), multiline=self.multiline)
        except InvalidText as error:
            self.fail("invalid_character", problem=_message(error))
