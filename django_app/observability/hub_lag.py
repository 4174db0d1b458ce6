"""Hub lag: the gevent twin of the event-loop lag probe (loop_lag.py).

In a gevent worker every greenlet runs on one hub, as every coroutine runs on one event loop:
a greenlet that computes, or calls a C library that blocks without the patched socket
module, holds all the others back. A greenlet that sleeps a fixed interval and records how
late the hub wakes it measures that, whichever request caused it. Started by wsgi.py when
the process runs monkey-patched (gunicorn's gevent worker patches before it loads the app);
other WSGI workers have no hub and record nothing.
"""

from __future__ import annotations

import sys
import time

from django_app.observability import metrics
from django_app.observability.server import Server, refresh_threads

INTERVAL_S = 0.1

_started: set[Server] = set()


def patched() -> bool:
    """Whether gevent has patched this process's sockets (never imports gevent itself)."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and bool(monkey.is_module_patched("socket"))


def start_probe(server: Server) -> bool:
    """Spawn this process's probe once, if it is monkey-patched; whether one runs."""
    if server in _started:
        return True
    if not patched():
        return False
    import gevent

    gevent.spawn(_probe, server)
    _started.add(server)
    return True


def _probe(server: Server) -> None:
    import gevent

    lag = metrics.HUB_LAG.labels(server)
    while True:
        started = time.perf_counter()
        gevent.sleep(INTERVAL_S)
        lag.observe(max(0.0, time.perf_counter() - started - INTERVAL_S))
        refresh_threads(server)
