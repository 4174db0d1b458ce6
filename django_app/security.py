"""Security headers on every answer and the Host check, the same on both servers.

Django's own SecurityMiddleware and XFrameOptionsMiddleware are `MiddlewareMixin`s: under
ASGI each would cost a thread hop per request and distort the very comparison the lab makes.
This one is sync- and async-capable, like the observability middleware, so it runs in the
handler's own mode. docs/endpoints.md lists which of `check --deploy`'s warnings stay and why.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest
from django.http.response import HttpResponseBase

HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
)


def _harden(response: HttpResponseBase) -> HttpResponseBase:
    for name, value in HEADERS:
        response.headers.setdefault(name, value)
    return response


class SecurityHeadersMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(
        self,
        get_response: Callable[[HttpRequest], HttpResponseBase]
        | Callable[[HttpRequest], Awaitable[HttpResponseBase]],
    ) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.is_async:
            return self.__acall__(request)
        request.get_host()  # see __acall__
        response = self.get_response(request)
        assert isinstance(response, HttpResponseBase)
        return _harden(response)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        # Django checks ALLOWED_HOSTS only when something asks for the host: ask, so a
        # hostile Host (DNS rebinding) is a 400 (DisallowedHost) before any view runs.
        request.get_host()
        response = await self.get_response(request)  # type: ignore[misc]
        assert isinstance(response, HttpResponseBase)
        return _harden(response)
