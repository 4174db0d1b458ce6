"""Optional middleware: `MIDDLEWARE_STACK=sync-only` adds this one (or name it in
DJANGO_EXTRA_MIDDLEWARE, comma-separated paths).

`SyncOnlyMiddleware` does nothing but exist the old way (sync-only): under ASGI Django must
run it, and everything inside it, through sync_to_async, a thread hop per request. Turn it on
to measure what that costs; it changes nothing under WSGI.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase


class SyncOnlyMiddleware:
    sync_capable = True
    async_capable = False

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)
