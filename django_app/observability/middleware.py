"""One middleware for both servers: requests, latency and in-flight requests per route.

Sync- and async-capable, so Django runs it in the handler's own mode: no thread hop under
ASGI, no event loop under WSGI. A request is in flight until its answer is sent: a stream
until the server closes it, after its last event (its latency still ends when the response
object exists).

It also opens the request's Server-Timing record (`timing.py`) and writes the header on every
response, a stream's with what is known when its headers go.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import AsyncIterator, Callable, Iterator

from django.http import HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import Resolver404, resolve
from prometheus_client import Gauge, Histogram

from django_app.dual_mode import DualModeMiddleware
from django_app.observability import metrics, timing
from django_app.observability.loop_lag import ensure_probe
from django_app.observability.server import Server, announce, refresh_threads, server_of

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


@functools.lru_cache(maxsize=1024)
def route_of(path: str) -> str:
    """The URL name (low cardinality), "unmatched" for paths no route takes. Cached: the
    handler resolves again, and the lab asks for a handful of paths millions of times."""
    try:
        match = resolve(path)
    except Resolver404:
        return "unmatched"
    return match.url_name or "unnamed"


class ObservabilityMiddleware(DualModeMiddleware):
    def handle(self, request: HttpRequest) -> HttpResponseBase:
        # Sync mode is also what ASGI gets when a sync-only middleware is in the chain.
        server = server_of(request)
        route = route_of(request.path_info)
        method = _method(request.method)
        in_flight = _start(server, route, method)
        counted: Gauge | None = in_flight  # None once a stream has taken it over
        started = time.perf_counter()
        status = 500
        record, token = timing.start(request.META)
        try:
            response = self.respond(request)
            status = response.status_code
            counted = _unless_streamed(response, in_flight)
            response["Server-Timing"] = record.header()
            return response
        finally:
            timing.stop(token)
            _finish(server, route, method, status, started, counted)

    async def ahandle(self, request: HttpRequest) -> HttpResponseBase:
        server = server_of(request)
        # asgi.py starts the probe for the real servers; this covers Django's AsyncClient.
        ensure_probe(server)
        route = route_of(request.path_info)
        method = _method(request.method)
        in_flight = _start(server, route, method)
        counted: Gauge | None = in_flight  # None once a stream has taken it over
        started = time.perf_counter()
        status = 500
        record, token = timing.start(request.META)
        try:
            response = await self.arespond(request)
            status = response.status_code
            counted = _unless_streamed(response, in_flight)
            response["Server-Timing"] = record.header()
            return response
        except asyncio.CancelledError:
            # The client went away and Django cancelled the view: nginx's "client closed".
            status = 499
            raise
        finally:
            timing.stop(token)
            _finish(server, route, method, status, started, counted)


def _method(method: str | None) -> str:
    return method if method in METHODS else "other"


# The series a request writes, looked up once per label set and kept: prometheus_client's
# `labels()` builds and locks on every call, a fifth of the middleware's cost. Routes are URL
# names, methods a fixed list and statuses the few each route answers, so the caches stay small.
@functools.lru_cache(maxsize=4096)
def _in_flight_of(server: Server, route: str, method: str) -> Gauge:
    announce(server)  # the info metrics, on the process's first request of this server
    return metrics.IN_FLIGHT.labels(server, route, method)


@functools.lru_cache(maxsize=4096)
def _duration_of(server: Server, route: str, method: str, status: int) -> Histogram:
    return metrics.REQUEST_DURATION.labels(server, route, method, str(status))


def _start(server: Server, route: str, method: str) -> Gauge:
    in_flight = _in_flight_of(server, route, method)
    in_flight.inc()
    return in_flight


def _unless_streamed(response: HttpResponseBase, in_flight: Gauge) -> Gauge | None:
    """A streaming answer keeps its request in flight until the server closes it (both
    servers always close a response: WSGI's close(), Django's ASGI handler): the count is
    handed to the stream and None returned, so `_finish` leaves it. Django calls a body's
    `close` once, whoever closes the response, and clears it after."""
    if not isinstance(response, StreamingHttpResponse):
        return in_flight
    release = in_flight.dec
    content = response.streaming_content
    if isinstance(content, Iterator):
        response.streaming_content = _SyncBody(content, release)
    else:
        response.streaming_content = _AsyncBody(content, release)
    return None


class _SyncBody:
    """A stream's body, unchanged; Django calls `close` when the server closes the response."""

    def __init__(self, content: Iterator[bytes], close: Callable[[], object]) -> None:
        self._content, self.close = content, close

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        return next(self._content)


class _AsyncBody:
    """The same for an async stream (no `__iter__`, so Django keeps it async)."""

    def __init__(self, content: AsyncIterator[bytes], close: Callable[[], object]) -> None:
        self._content, self.close = content, close

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self

    async def __anext__(self) -> bytes:
        return await anext(self._content)


def _finish(
    server: Server,
    route: str,
    method: str,
    status: int,
    started: float,
    in_flight: Gauge | None,
) -> None:
    elapsed = time.perf_counter() - started
    if in_flight is not None:
        in_flight.dec()
    _duration_of(server, route, method, status).observe(elapsed)
    refresh_threads(server)
