"""Pages for a browser (`/page/*`): a server-rendered template whose content comes from one
upstream call, so the first byte, and the largest paint with it, waits for that call. No
JavaScript: what the browser paints is what the server sent.

`cpu_ms` adds render work (the page's own CPU, before the template), for a page that is slow
to build as well as to fetch."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from contracts import params
from django_app import cpu, upstream
from django_app.endpoint import endpoint
from django_app.observability.server import server_of

TITLE = "The page a person waits for"


def _page(
    request: HttpRequest, kind: str, view: str, answer: dict[str, Any], **fields: Any
) -> HttpResponse:
    if fields["cpu_ms"]:
        cpu.burn(fields["cpu_ms"])
    context = {
        "title": TITLE,
        "server": server_of(request),
        "kind": kind,
        "view": view,
        "calls": "one",
        "upstream_ms": round(float(answer.get("delay_ms", 0)), 1),
        **fields,
    }
    html = render_to_string("django_app/page.html", context)
    return HttpResponse(html, content_type="text/html; charset=utf-8")


# The same parameters for the three pages.
page_endpoint = endpoint(
    budget=params.PAGE_BUDGET, delay_ms=params.UPSTREAM_DELAY_MS, cpu_ms=params.PAGE_CPU_MS
)


@page_endpoint
def page_sync(request: HttpRequest, delay_ms: int | None, cpu_ms: int) -> HttpResponse:
    """The thread waits for the upstream, then renders."""
    answer = upstream.call_sync(server_of(request), delay_ms)
    return _page(request, "sync", "sync", answer, delay_ms=delay_ms, cpu_ms=cpu_ms)


@page_endpoint
async def page_async(request: HttpRequest, delay_ms: int | None, cpu_ms: int) -> HttpResponse:
    """The loop serves other requests while this one waits; the render runs on the loop."""
    server = server_of(request)
    async with upstream.async_client(server) as client:
        answer = await upstream.call_async(server, client, delay_ms)
    return _page(request, "async", "async", answer, delay_ms=delay_ms, cpu_ms=cpu_ms)


@page_endpoint
async def page_async_blocking(
    request: HttpRequest, delay_ms: int | None, cpu_ms: int
) -> HttpResponse:
    """The mistake: a blocking call in an async view freezes the loop, every page of the
    worker with it."""
    answer = upstream.call_sync(server_of(request), delay_ms)  # blocks the loop, on purpose
    return _page(
        request, "async-blocking", "async (blocking)", answer, delay_ms=delay_ms, cpu_ms=cpu_ms
    )
