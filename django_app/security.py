"""Security headers on every answer and the Host check, the same on both servers.

Django's own SecurityMiddleware and XFrameOptionsMiddleware are `MiddlewareMixin`s: under
ASGI each would cost a thread hop per request and distort the very comparison the lab makes.
This one is a DualModeMiddleware, like the observability middleware, so it runs in the
handler's own mode. docs/endpoints.md lists which of `check --deploy`'s warnings stay and why.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.http.response import HttpResponseBase

from django_app.dual_mode import DualModeMiddleware

HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
)


def _harden(response: HttpResponseBase) -> HttpResponseBase:
    for name, value in HEADERS:
        response.headers.setdefault(name, value)
    return response


class SecurityHeadersMiddleware(DualModeMiddleware):
    # Django checks ALLOWED_HOSTS only when something asks for the host: ask, so a hostile
    # Host (DNS rebinding) is a 400 (DisallowedHost) before any view runs.
    def handle(self, request: HttpRequest) -> HttpResponseBase:
        request.get_host()
        return _harden(self.respond(request))

    async def ahandle(self, request: HttpRequest) -> HttpResponseBase:
        request.get_host()
        return _harden(await self.arespond(request))
