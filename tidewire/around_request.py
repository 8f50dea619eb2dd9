"""A base for middleware that does something before and after each request, in either mode.

Django builds the page chain in sync mode (tidewire/sync_threads.py) and async views'
chain in async mode; a middleware that serves both costs no thread hop in either.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse


class AroundRequest:
    """Subclasses define `before(request) -> state` and `after(request, response, state)`."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def before(self, request: HttpRequest) -> Any:
        """Runs first; what it returns is handed to `after`."""

    def after(self, request: HttpRequest, response: HttpResponse, state: Any) -> None:
        """Runs once the response is made."""

    def __call__(self, request: HttpRequest):
        if iscoroutinefunction(self):
            return self._acall(request)
        state = self.before(request)
        response = self.get_response(request)
        self.after(request, response, state)
        return response

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        state = self.before(request)
        response = await self.get_response(request)
        self.after(request, response, state)
        return response
