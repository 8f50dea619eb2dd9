"""The project's URL routes, found by walking the URL configuration (not listed by hand)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView


def walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any, dict]]:
    """(route, view, default args) of every URL pattern but the admin's (which guards itself)."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).startswith("admin/"):
                continue
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback, entry.default_args


def all_routes() -> list[tuple[str, Any, dict]]:
    return list(walk(get_resolver().url_patterns))


def is_api(callback: Any) -> bool:
    """Whether the view is a DRF API view (authentication and CSRF its own way)."""
    view = getattr(callback, "cls", None)
    return isinstance(view, type) and issubclass(view, APIView)


def methods_of(callback: Any) -> list[str]:
    """The HTTP methods an API view answers (lower case)."""
    return [m for m in ("get", "post", "put", "patch", "delete") if hasattr(callback.cls, m)]


def concrete(route: str) -> str:
    """A URL for a route, with 1 for every path parameter."""
    path = "/" + route
    while "<" in path:
        start, end = path.index("<"), path.index(">")
        path = path[:start] + "1" + path[end + 1 :]
    return path
