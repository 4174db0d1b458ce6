"""The observability middleware's own CPU per request, in one process, and where it goes.

It calls the middleware around a view that only builds a response, sync and async, with
prometheus_client in multiprocess mode (a temporary directory) as the servers run it, and
prints microseconds per call with and without the middleware. `--profile` adds pyinstrument's
profile of the sync path: what `benchmarks.instrumentation_cost` measures on real servers,
taken apart.

    .venv/bin/python -m benchmarks.middleware_cost [--calls 50000] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import os
import tempfile
import time
from collections.abc import Awaitable, Callable


def per_call_us(call: Callable[[], object], calls: int) -> float:
    for _ in range(calls // 20):  # warm: caches, the series' first writes
        call()
    started = time.process_time()
    for _ in range(calls):
        call()
    return (time.process_time() - started) / calls * 1e6


async def per_await_us(call: Callable[[], Awaitable[object]], calls: int) -> float:
    for _ in range(calls // 20):
        await call()
    started = time.process_time()
    for _ in range(calls):
        await call()
    return (time.process_time() - started) / calls * 1e6


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=50_000)
    parser.add_argument("--profile", action="store_true", help="pyinstrument, sync path")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lab-middleware-") as directory:
        # Before prometheus_client is imported: it picks its storage then, as in a server.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_app.settings")
        run(args.calls, args.profile)


def run(calls: int, profile: bool) -> None:
    import django

    django.setup()
    from django.http import HttpRequest, HttpResponse
    from django.test import RequestFactory

    from django_app.observability.middleware import ObservabilityMiddleware

    request = RequestFactory().get("/ping")

    def view(_: HttpRequest) -> HttpResponse:
        return HttpResponse(b"pong")

    async def aview(_: HttpRequest) -> HttpResponse:
        return HttpResponse(b"pong")

    sync_mw, async_mw = ObservabilityMiddleware(view), ObservabilityMiddleware(aview)

    async def through() -> object:
        response = async_mw(request)
        assert inspect.isawaitable(response)
        return await response

    say(
        "sync",
        per_call_us(lambda: view(request), calls),
        per_call_us(lambda: sync_mw(request), calls),
    )
    bare = asyncio.run(per_await_us(lambda: aview(request), calls))
    say("async", bare, asyncio.run(per_await_us(through, calls)))
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0001)
        with profiler:
            for _ in range(calls):
                sync_mw(request)
        print(profiler.output_text(color=False))


def say(mode: str, bare: float, wrapped: float) -> None:
    print(
        f"{mode}: {bare:.1f} us a call bare, {wrapped:.1f} us with the middleware "
        f"(+{wrapped - bare:.1f})"
    )


if __name__ == "__main__":
    main()
