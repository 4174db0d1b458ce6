"""The `endpoint` decorator: GET only, parsed and bounded parameters, errors as JSON (as
HTML for a browser, `errors.py`).

Works on sync and async views alike and keeps their kind, so Django still runs each one
the way the scenario means (a sync view in a thread under ASGI, an async one on the loop).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from contracts.params import BadParameter, Budget, parse
from contracts.values import Spec
from django_app.errors import error_response
from django_app.upstream import UpstreamError

View = Callable[..., HttpResponseBase]
AsyncView = Callable[..., Awaitable[HttpResponseBase]]
ALLOWED_METHODS = frozenset({"GET", "HEAD"})


def _refuse(
    request: HttpRequest, spec: dict[str, Spec], budget: Budget | None
) -> HttpResponseBase | dict[str, Any]:
    """The view's keyword arguments, or the error response that replaces the view."""
    if request.method not in ALLOWED_METHODS:
        allowed = sorted(ALLOWED_METHODS)
        response = error_response(
            405, f"method {request.method} not allowed", request, allowed=allowed
        )
        response["Allow"] = ", ".join(allowed)
        return response
    try:
        return parse(request.GET, spec, budget)
    except BadParameter as exc:
        return error_response(400, exc.message, request, parameter=exc.parameter)


def _for_method(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """A HEAD answer without its body (its length still said): the servers must not send
    body bytes for HEAD (gunicorn logs every one), and Django leaves that to them."""
    if request.method == "HEAD" and isinstance(response, HttpResponse):
        length = len(response.content)
        response.content = b""
        response["Content-Length"] = str(length)
    return response


def _upstream_failed(request: HttpRequest, exc: UpstreamError) -> HttpResponseBase:
    return error_response(exc.status, exc.message, request, **exc.details)


def endpoint(budget: Budget | None = None, **spec: Spec) -> Callable[[Any], Any]:
    """`spec`: the query parameters; `budget`: a cap on their combined expected duration."""

    def decorate(view: Any) -> Any:
        if iscoroutinefunction(view):
            async_view: AsyncView = view

            @functools.wraps(view)
            async def run_async(request: HttpRequest) -> HttpResponseBase:
                kwargs = _refuse(request, spec, budget)
                if isinstance(kwargs, HttpResponseBase):
                    return kwargs
                try:
                    return _for_method(request, await async_view(request, **kwargs))
                except UpstreamError as exc:
                    return _for_method(request, _upstream_failed(request, exc))

            run_async.params = spec  # type: ignore[attr-defined]
            return run_async

        sync_view: View = view

        @functools.wraps(view)
        def run_sync(request: HttpRequest) -> HttpResponseBase:
            kwargs = _refuse(request, spec, budget)
            if isinstance(kwargs, HttpResponseBase):
                return kwargs
            try:
                return _for_method(request, sync_view(request, **kwargs))
            except UpstreamError as exc:
                return _for_method(request, _upstream_failed(request, exc))

        run_sync.params = spec  # type: ignore[attr-defined]
        return run_sync

    return decorate
