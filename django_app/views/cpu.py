"""CPU-bound work in a sync view, an async view (in one piece or in chunks), and an async
view that hands it to a thread."""

from __future__ import annotations

import asyncio
import time

from asgiref.sync import sync_to_async
from django.http import HttpRequest, JsonResponse

from contracts import params
from django_app.cpu import burn
from django_app.endpoint import endpoint
from django_app.observability.server import server_of


def _answer(
    request: HttpRequest, started: float, cpu_ms: int, checksum: int, **echo: int
) -> JsonResponse:
    return JsonResponse(
        {
            "server": server_of(request),
            "cpu_ms": cpu_ms,
            **echo,
            "checksum": checksum,
            "elapsed_ms": round((time.perf_counter() - started) * 1000, 3),
        }
    )


@endpoint(cpu_ms=params.CPU_MS)
def cpu_sync(request: HttpRequest, cpu_ms: int) -> JsonResponse:
    """Busy on its own thread: neighbours on other threads only share the GIL with it."""
    started = time.perf_counter()
    return _answer(request, started, cpu_ms, burn(cpu_ms))


@endpoint(cpu_ms=params.CPU_MS)
async def cpu_async(request: HttpRequest, cpu_ms: int) -> JsonResponse:
    """Busy on the event loop: nothing else in this worker runs until it is done."""
    started = time.perf_counter()
    return _answer(request, started, cpu_ms, burn(cpu_ms))


@endpoint(cpu_ms=params.CPU_MS, chunk_ms=params.CHUNK_MS)
async def cpu_async_chunked(request: HttpRequest, cpu_ms: int, chunk_ms: int) -> JsonResponse:
    """The same work on the loop, but in slices of chunk_ms with the loop given back between
    them: a neighbour waits for slices, not the whole request. The work is no less, and all of
    it still runs on the loop's one thread, so the worker serves no more of it."""
    started = time.perf_counter()
    checksum, left = 0, cpu_ms
    while left > 0:
        step = min(chunk_ms, left)
        checksum = (checksum * 31 + burn(step)) & 0xFFFF
        left -= step
        await asyncio.sleep(0)  # one turn of the loop: whatever is ready runs now
    return _answer(request, started, cpu_ms, checksum, chunk_ms=chunk_ms)


@endpoint(cpu_ms=params.CPU_MS)
async def cpu_async_offload(request: HttpRequest, cpu_ms: int) -> JsonResponse:
    """The same work on a pool thread: the loop keeps serving between GIL switches (every
    5 ms), but the work still needs the GIL, so throughput does not grow."""
    started = time.perf_counter()
    checksum = await sync_to_async(burn, thread_sensitive=False)(cpu_ms)
    return _answer(request, started, cpu_ms, checksum)
