"""Server-sent events: `events` messages, one every `interval_ms`.

`/stream/async`: under ASGI the events come from an async generator: when the client goes
away Django cancels it (asyncio.CancelledError at its next await), so the work stops at once.
Under WSGI an async iterator would have to be consumed in one piece, so the same view hands
the server a sync generator that sleeps on the worker's thread; the server notices a gone
client on its next write and closes the generator (GeneratorExit).

`/stream/sync`: a sync view and a sync generator on both servers, as code written for WSGI
is. Under gunicorn the stream holds a worker thread for its whole life. Under ASGI Django
warns and reads the whole generator into a list on one thread before it sends a byte: the
thread is held as long, and the events arrive together at the end.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator

from django.http import HttpRequest, StreamingHttpResponse

from contracts import params
from django_app.endpoint import endpoint
from django_app.observability import metrics
from django_app.observability.server import Server, server_of


def _event(server: Server, index: int, events: int) -> str:
    data = json.dumps({"server": server, "event": index, "of": events, "t": time.time()})
    return f"id: {index}\nevent: tick\ndata: {data}\n\n"


async def _async_events(server: Server, events: int, interval_s: float) -> AsyncIterator[str]:
    sent = metrics.STREAM_EVENTS.labels(server)
    try:
        for index in range(events):
            await asyncio.sleep(interval_s)
            sent.inc()
            yield _event(server, index, events)
    except asyncio.CancelledError:
        metrics.STREAM_DISCONNECTS.labels(server).inc()
        raise


def _sync_events(server: Server, events: int, interval_s: float) -> Iterator[str]:
    sent = metrics.STREAM_EVENTS.labels(server)
    index = 0
    try:
        for index in range(events):
            time.sleep(interval_s)
            sent.inc()
            yield _event(server, index, events)
    except GeneratorExit:
        if index < events - 1:
            metrics.STREAM_DISCONNECTS.labels(server).inc()
        raise


def _sse(content: Iterator[str] | AsyncIterator[str]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(content, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # no proxy buffering between the events
    return response


@endpoint(budget=params.STREAM_BUDGET, events=params.EVENTS, interval_ms=params.INTERVAL_MS)
async def stream_async(
    request: HttpRequest, events: int, interval_ms: int
) -> StreamingHttpResponse:
    server = server_of(request)
    interval_s = interval_ms / 1000
    content = (
        _async_events(server, events, interval_s)
        if server == "asgi"
        else _sync_events(server, events, interval_s)
    )
    return _sse(content)


@endpoint(budget=params.STREAM_BUDGET, events=params.EVENTS, interval_ms=params.INTERVAL_MS)
def stream_sync(request: HttpRequest, events: int, interval_ms: int) -> StreamingHttpResponse:
    return _sse(_sync_events(server_of(request), events, interval_ms / 1000))
