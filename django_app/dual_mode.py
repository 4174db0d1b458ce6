"""The skeleton of a middleware that runs in the handler's own mode: sync under WSGI, async on
the loop under ASGI, so it never costs a thread hop (Django's `MiddlewareMixin` does, under
ASGI, for every request). A subclass writes `handle` and `ahandle`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest
from django.http.response import HttpResponseBase

GetResponse = (
    Callable[[HttpRequest], HttpResponseBase] | Callable[[HttpRequest], Awaitable[HttpResponseBase]]
)


class DualModeMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.is_async:
            return self.ahandle(request)
        return self.handle(request)

    def respond(self, request: HttpRequest) -> HttpResponseBase:
        """The rest of the chain, in sync mode."""
        response = self.get_response(request)
        assert isinstance(response, HttpResponseBase)
        return response

    async def arespond(self, request: HttpRequest) -> HttpResponseBase:
        """The rest of the chain, in async mode."""
        response = await self.get_response(request)  # type: ignore[misc]
        assert isinstance(response, HttpResponseBase)
        return response

    def handle(self, request: HttpRequest) -> HttpResponseBase:
        return self.respond(request)

    async def ahandle(self, request: HttpRequest) -> HttpResponseBase:
        return await self.arespond(request)
