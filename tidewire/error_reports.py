"""Error reports (the debug page, error e-mails) that never show a credential.

Django's SafeExceptionReporterFilter hides settings and headers by name, but a
password reaches the page in other ways: the API takes JSON, not the form fields
`sensitive_post_parameters` names, and a traceback's frames show their local
variables (the body being parsed, the serializer holding `data`, the dict handed
to `authenticate`). It also switches itself off when DEBUG is on, which is when
the page is shown. This filter is always on, and cleanses by name: any setting,
header, form field, local variable or key in a dict, list, QueryDict, string or
object representation whose name looks like a credential.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.views.debug import SafeExceptionReporterFilter

# Names whose values are credentials: password, passwd, pwd, token, refresh and
# access (JWT pairs), secret, api_key, signature, cookies and CSRF values.
SENSITIVE_NAMES = (
    r"pass|pwd|secret|token|refresh|access|credential|signature|signing|authorization"
    r"|cookie|csrf|sessionid|api_?key|private_?key"
)
_SENSITIVE = re.compile(SENSITIVE_NAMES, re.IGNORECASE)

# `name: value` or `name=value` inside text: a JSON body, a dict's or a serializer's
# repr, a query string. Possessive quantifiers: no backtracking, linear in the text,
# however long a hostile body is.
_KEY = re.compile(r"""(?<![\w-])(["']?)([\w-]++)\1\s*+[:=]\s*+""")
# The value: a quoted string (perhaps cut short), bytes, or a bare word.
_VALUE = re.compile(r"""b?"(?:[^"\\]|\\.)*+"?|b?'(?:[^'\\]|\\.)*+'?|[^\s,&;(){}\[\]'"]++""")

# Containers are shown in part: the page trims every value to 4,096 characters.
MAX_ITEMS_SHOWN = 256
# Deeper structures are summarised, so a hostile nesting cannot make cleansing recurse.
MAX_DEPTH_SHOWN = 16


class CredentialFilter(SafeExceptionReporterFilter):
    """Cleanses credentials from error reports, with DEBUG on or off."""

    hidden_settings = re.compile(
        SafeExceptionReporterFilter.hidden_settings.pattern + "|" + SENSITIVE_NAMES,
        re.IGNORECASE,
    )

    def is_active(self, request: HttpRequest | None) -> bool:
        """Always: the debug page is where a developer's password would show."""
        return True

    def get_post_parameters(self, request: HttpRequest | None) -> Any:
        return self.cleanse_value(super().get_post_parameters(request))

    def get_traceback_frame_variables(self, request: HttpRequest | None, tb_frame: Any) -> Any:
        variables = super().get_traceback_frame_variables(request, tb_frame)
        return [
            (name, self.cleansed_substitute if _SENSITIVE.search(name) else self.cleanse_value(v))
            for name, v in variables
        ]

    def cleanse_value(self, value: Any, depth: int = 0) -> Any:
        """A copy of `value` with every credential in it replaced by the substitute."""
        if value is None or isinstance(value, bool | int | float):
            return value
        if depth >= MAX_DEPTH_SHOWN:
            return _Shown(f"<{type(value).__name__} nested too deep to show>")
        if isinstance(value, str):
            return self.cleanse_text(value)
        if isinstance(value, bytes):
            # latin-1 maps every byte to one character and back.
            return self.cleanse_text(value.decode("latin-1")).encode("latin-1")
        if isinstance(value, MultiValueDict):  # request.POST, request.GET
            cleansed = MultiValueDict()
            for key in list(value)[:MAX_ITEMS_SHOWN]:
                items = value.getlist(key)
                if isinstance(key, str) and _SENSITIVE.search(key):
                    items = [self.cleansed_substitute] * len(items)
                cleansed.setlist(key, self.cleanse_value(items, depth + 1))
            return cleansed
        if isinstance(value, dict):
            return {
                key: self._cleanse_item(key, item, depth)
                for key, item in list(value.items())[:MAX_ITEMS_SHOWN]
            }
        if isinstance(value, list | tuple | set | frozenset):
            items = [self.cleanse_value(item, depth + 1) for item in list(value)[:MAX_ITEMS_SHOWN]]
            if len(value) > MAX_ITEMS_SHOWN:
                items.append(_Shown(f"… {len(value) - MAX_ITEMS_SHOWN} more"))
            return items if isinstance(value, list) else tuple(items)
        return self._cleanse_object(value)

    def cleanse_text(self, text: str) -> str:
        """`text` with the value of every `name: value` / `name=value` credential pair replaced."""
        parts, done = [], 0
        for key in _KEY.finditer(text):
            if key.start() < done or not _SENSITIVE.search(key[2]):
                continue  # not a credential: its value is searched like any text
            value = _VALUE.match(text, key.end())
            if value is not None:
                parts += [text[done : key.end()], self.cleansed_substitute]
                done = value.end()
        return "".join([*parts, text[done:]])

    def _cleanse_item(self, key: Any, item: Any, depth: int) -> Any:
        if isinstance(key, str) and _SENSITIVE.search(key):
            return self.cleansed_substitute
        return self.cleanse_value(item, depth + 1)

    def _cleanse_object(self, value: Any) -> Any:
        # The page shows an object by its repr, which may carry what it holds
        # (a DRF serializer shows its `data`). Shown from here, so it is made once
        # (a QuerySet's repr runs a query).
        try:
            return _Shown(self.cleanse_text(repr(value)))
        except Exception:  # the page reports the failing repr itself
            return value


class _Shown:
    """Text the page shows as it is (its repr), in place of a value."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text
