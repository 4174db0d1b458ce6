"""A slow ORM query from a sync view and from an async view (the async ORM)."""

from __future__ import annotations

import time

from django.http import HttpRequest, JsonResponse

from contracts import params
from django_app.db import slow_count, slow_count_async
from django_app.endpoint import endpoint
from django_app.observability.server import server_of


def _answer(request: HttpRequest, started: float, delay_ms: int, vendor: str) -> JsonResponse:
    return JsonResponse(
        {
            "server": server_of(request),
            "delay_ms": delay_ms,
            "vendor": vendor,
            "elapsed_ms": round((time.perf_counter() - started) * 1000, 3),
        }
    )


@endpoint(delay_ms=params.DELAY_MS)
def db_sync(request: HttpRequest, delay_ms: int) -> JsonResponse:
    """`queryset.count()`: the query holds this thread and a connection for `delay_ms`."""
    started = time.perf_counter()
    return _answer(request, started, delay_ms, slow_count(server_of(request), delay_ms))


@endpoint(delay_ms=params.DELAY_MS)
async def db_async(request: HttpRequest, delay_ms: int) -> JsonResponse:
    """`await queryset.acount()`: the loop is free meanwhile, but Django's ORM is sync, so
    the query still holds a thread (the request's thread-sensitive one) and a connection."""
    started = time.perf_counter()
    vendor = await slow_count_async(server_of(request), delay_ms)
    return _answer(request, started, delay_ms, vendor)
