"""A slow query from a sync view and from an async view."""

from __future__ import annotations

import time

from asgiref.sync import sync_to_async
from django.http import HttpRequest, JsonResponse

from contracts import params
from django_app.db import sleep_query
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
    started = time.perf_counter()
    return _answer(request, started, delay_ms, sleep_query(server_of(request), delay_ms))


@endpoint(delay_ms=params.DELAY_MS)
async def db_async(request: HttpRequest, delay_ms: int) -> JsonResponse:
    """Django's database layer is synchronous: its async API runs the query through
    sync_to_async(thread_sensitive=True), exactly as here, so the wait still holds a thread."""
    started = time.perf_counter()
    vendor = await sync_to_async(sleep_query, thread_sensitive=True)(server_of(request), delay_ms)
    return _answer(request, started, delay_ms, vendor)
