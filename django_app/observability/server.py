"""Which server serves a request, and how that server runs (for the info metrics)."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Literal, get_args

import psutil
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest

from contracts.servers import shape
from django_app.observability import metrics

Server = Literal["wsgi", "asgi"]
SERVERS: tuple[Server, ...] = get_args(Server)


def _started_as(env: Mapping[str, str]) -> Server | None:
    """The server this process was started as: `lab serve wsgi|asgi` sets LAB_SERVER before
    the server command runs. Unset where no server command ran (Django's test clients)."""
    name = env.get("LAB_SERVER", "")
    for server in SERVERS:
        if name == server:
            return server
    if name:
        raise ImproperlyConfigured(
            f"LAB_SERVER={name!r}: the Django app runs as one of {', '.join(SERVERS)}"
        )
    return None


# Decided once, when the process starts, never from how Django calls a middleware: a
# sync-only middleware makes Django run the whole chain in sync mode under ASGI too.
STARTED_AS: Server | None = _started_as(os.environ)


def server_of(request: HttpRequest) -> Server:
    """Which server serves this request: the one the process was started as. Fallback where
    no server command ran: the handler's request class (Django's Client makes WSGIRequests,
    its AsyncClient ASGIRequests)."""
    if STARTED_AS is not None:
        return STARTED_AS
    return "asgi" if isinstance(request, ASGIRequest) else "wsgi"


_announced: set[str] = set()
_threads_checked: dict[str, float] = {}
_lock = threading.Lock()
THREADS_REFRESH_S = 1.0


def announce(server: Server) -> None:
    """Set the info metrics once per process (on its first request of that kind)."""
    if server in _announced:
        return
    with _lock:
        if server in _announced:
            return
        s = shape(server, settings.LAB)
        metrics.SERVER_INFO.labels(
            server, s.implementation, s.worker_class, str(s.workers), str(s.threads), s.proxy
        ).set(1)
        metrics.SERVER_WORKERS.labels(server).set(s.workers)
        metrics.SERVER_THREADS.labels(server).set(s.threads)
        metrics.SERVER_CONCURRENCY.labels(server).set(s.concurrency)
        forget_dead_workers()
        _announced.add(server)


_LIVE_GAUGE_FILE = re.compile(r"gauge_live\w+_(\d+)\.db")


def forget_dead_workers(directory: str | None = None) -> list[int]:
    """Drop the live gauges of worker processes that are gone; returns their pids.

    gunicorn's child_exit hook does this when a worker dies; uvicorn --workers has no such
    hook, so a new worker (which is what a restart makes) sweeps on its first request.
    Otherwise a dead worker's last in-flight count would be summed in forever."""
    directory = directory or os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return []
    from prometheus_client import multiprocess

    dead = set()
    for path in Path(directory).glob("gauge_live*_*.db"):
        match = _LIVE_GAUGE_FILE.fullmatch(path.name)
        if match and not psutil.pid_exists(int(match[1])):
            dead.add(int(match[1]))
    for pid in sorted(dead):
        multiprocess.mark_process_dead(pid, directory)  # type: ignore[no-untyped-call]
    return sorted(dead)


def refresh_threads(server: Server, *, force: bool = False) -> None:
    """Count this process's OS threads, at most once a second (it reads /proc)."""
    now = time.monotonic()
    if not force and now - _threads_checked.get(server, -THREADS_REFRESH_S) < THREADS_REFRESH_S:
        return
    _threads_checked[server] = now
    metrics.PROCESS_THREADS.labels(server).set(psutil.Process().num_threads())
