"""One upstream call, four ways: blocking, non-blocking, the classic mistake, and a blocking
client wrapped in sync_to_async."""

from __future__ import annotations

import asyncio
import time

from asgiref.sync import sync_to_async
from django.http import HttpRequest, JsonResponse

from contracts import params
from django_app import upstream
from django_app.endpoint import endpoint
from django_app.observability.server import server_of


def _answer(request: HttpRequest, started: float, **fields: object) -> JsonResponse:
    elapsed_ms = round((time.perf_counter() - started) * 1000, 3)
    return JsonResponse({"server": server_of(request), **fields, "elapsed_ms": elapsed_ms})


@endpoint(delay_ms=params.UPSTREAM_DELAY_MS)
def io_sync(request: HttpRequest, delay_ms: int | None) -> JsonResponse:
    """Blocks its thread for the whole upstream delay."""
    started = time.perf_counter()
    answer = upstream.call_sync(server_of(request), delay_ms)
    return _answer(request, started, delay_ms=delay_ms, upstream=answer)


@endpoint(delay_ms=params.UPSTREAM_DELAY_MS)
async def io_async(request: HttpRequest, delay_ms: int | None) -> JsonResponse:
    """Waits on the event loop: other requests run meanwhile."""
    started = time.perf_counter()
    server = server_of(request)
    async with upstream.async_client(server) as client:
        answer = await upstream.call_async(server, client, delay_ms)
    return _answer(request, started, delay_ms=delay_ms, client=client.name, upstream=answer)


@endpoint(delay_ms=params.UPSTREAM_DELAY_MS)
async def io_async_blocking(request: HttpRequest, delay_ms: int | None) -> JsonResponse:
    """The classic mistake: a blocking client in an async view freezes the whole event loop
    (every request of this worker) for the upstream delay."""
    started = time.perf_counter()
    answer = upstream.call_sync(server_of(request), delay_ms)  # blocks the loop, on purpose
    return _answer(request, started, delay_ms=delay_ms, upstream=answer)


@endpoint(
    budget=params.SYNC_TO_ASYNC_BUDGET,
    delay_ms=params.UPSTREAM_DELAY_MS,
    thread_sensitive=params.THREAD_SENSITIVE,
    n=params.CALLS_N,
)
async def io_sync_to_async(
    request: HttpRequest, delay_ms: int | None, thread_sensitive: bool, n: int
) -> JsonResponse:
    """`n` concurrent blocking calls, each wrapped in sync_to_async.

    thread_sensitive=1 (the default) sends them all to the request's one sync thread, so they
    run one after another (n x delay); 0 sends them to the loop's thread pool, in parallel.
    Django gives every request its own thread-sensitive context, so requests do not queue
    behind each other; the calls inside one request do.
    """
    started = time.perf_counter()
    server = server_of(request)
    call = sync_to_async(upstream.call_sync, thread_sensitive=thread_sensitive)
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(call(server, delay_ms)) for _ in range(n)]
    except* upstream.UpstreamError as failed:
        raise failed.exceptions[0] from None
    return _answer(
        request,
        started,
        delay_ms=delay_ms,
        n=n,
        thread_sensitive=thread_sensitive,
        upstream=tasks[0].result(),
    )
