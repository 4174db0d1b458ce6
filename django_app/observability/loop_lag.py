"""Event-loop lag: a task that sleeps a fixed interval and records how late it wakes.

Started lazily by the first ASGI request in each process (Django has no lifespan hook), one
per event loop, by `with_loop_lag_probe` around the ASGI application: the middleware cannot
be relied on for it, since a sync-only middleware in the chain makes Django run every
middleware in a worker thread, away from the loop. Anything that blocks the loop (CPU in an
async view, a blocking call) shows up here as lag, whichever request caused it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

from django_app.observability import metrics
from django_app.observability.server import Server, refresh_threads

INTERVAL_S = 0.1

Scope = dict[str, Any]
AsgiApp = Callable[[Scope, Any, Any], Awaitable[None]]

_probes: dict[asyncio.AbstractEventLoop, asyncio.Task[None]] = {}


def ensure_probe(server: Server) -> None:
    loop = asyncio.get_running_loop()
    if loop in _probes:
        return
    # Forget probes of loops that are gone (tests run several loops in one process).
    for old in [lp for lp in _probes if lp.is_closed()]:
        del _probes[old]
    _probes[loop] = loop.create_task(_probe(server), name="lab-loop-lag-probe")


async def _probe(server: Server) -> None:
    lag = metrics.LOOP_LAG.labels(server)
    while True:
        started = time.perf_counter()
        await asyncio.sleep(INTERVAL_S)
        lag.observe(max(0.0, time.perf_counter() - started - INTERVAL_S))
        refresh_threads(server)


async def stop_probe() -> None:
    """Stop this loop's probe (for tests and orderly shutdowns)."""
    task = _probes.pop(asyncio.get_running_loop(), None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def with_loop_lag_probe(app: AsgiApp) -> AsgiApp:
    """The ASGI application, starting its event loop's probe on the loop's first request."""

    async def application(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            ensure_probe("asgi")
        await app(scope, receive, send)

    return application
