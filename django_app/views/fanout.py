"""`n` upstream calls in parallel: a thread per call, or one task per call on the loop."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

from django.http import HttpRequest, JsonResponse

from contracts import params
from django_app import upstream
from django_app.endpoint import endpoint
from django_app.observability import timing
from django_app.observability.server import server_of


def _answer(request: HttpRequest, started: float, n: int, delay_ms: int | None) -> JsonResponse:
    return JsonResponse(
        {
            "server": server_of(request),
            "n": n,
            "delay_ms": delay_ms,
            "elapsed_ms": round((time.perf_counter() - started) * 1000, 3),
        }
    )


@endpoint(n=params.FANOUT_N, delay_ms=params.UPSTREAM_DELAY_MS)
def fanout_sync(request: HttpRequest, n: int, delay_ms: int | None) -> JsonResponse:
    """A thread per call, started for this request: the price of sync fan-out."""
    started = time.perf_counter()
    server = server_of(request)
    with ThreadPoolExecutor(max_workers=n, thread_name_prefix="fanout") as pool:
        # list(): re-raises the first failure (an UpstreamError becomes 502/504).
        # carried: the pool's threads do not inherit the request's Server-Timing record.
        call = timing.carried(upstream.call_sync)
        list(pool.map(lambda _: call(server, delay_ms), range(n)))
    return _answer(request, started, n, delay_ms)


@endpoint(n=params.FANOUT_N, delay_ms=params.UPSTREAM_DELAY_MS)
async def fanout_async(request: HttpRequest, n: int, delay_ms: int | None) -> JsonResponse:
    """One task per call on the event loop; the first failure cancels the others."""
    started = time.perf_counter()
    server = server_of(request)
    async with upstream.async_client(server) as client:
        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(n):
                    group.create_task(upstream.call_async(server, client, delay_ms))
        except* upstream.UpstreamError as failed:
            raise failed.exceptions[0] from None
    return _answer(request, started, n, delay_ms)
