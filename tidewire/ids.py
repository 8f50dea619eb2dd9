"""Object ids in URLs: `<id:name>`, a whole number a database key can hold.

Django's `<int:>` takes any number of digits, and a path such as
`/api/listings/99999999999999999999/` reached the database and failed there (an
OverflowError on SQLite: a 500). An id of more than 18 digits names nothing, so its
path matches no route: the same 404 as any other missing object.
"""

from django.urls import register_converter
from django.urls.converters import IntConverter

MAX_DIGITS = 18  # below 2**63 - 1, the largest bigint key


class IdConverter(IntConverter):
    regex = f"[0-9]{{1,{MAX_DIGITS}}}"


def register() -> None:
    register_converter(IdConverter, "id")
