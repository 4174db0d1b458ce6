"""Server-Timing: what one request spent where, for the browser's DevTools (Network panel,
Timing tab) and for `curl -I`.

The middleware opens a `RequestTiming` per request and puts it in a context variable; the
upstream and database clients add each call to it. The object is shared, not copied: a sync
view under ASGI runs in a copy of the context (sync_to_async), and a fan-out's pool threads
get the same object handed over, so every call lands in the request's one record. Calls made
in parallel add up: `upstream` is the sum of their durations, which can exceed `app`.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# nginx's `X-Request-Start: t=<seconds since the epoch, ms resolution>` (lab/nginx.py): when
# the proxy began to pass the request on. Further apart than this, a clock is wrong.
REQUEST_START_HEADER = "HTTP_X_REQUEST_START"
MAX_QUEUE_S = 3600.0


# The rest of the header when the request made no upstream call and no query.
NO_CALLS = 'upstream;dur=0.0;desc="0 calls", db;dur=0.0;desc="0 queries"'


@dataclass(slots=True)
class RequestTiming:
    started: float = field(default_factory=time.perf_counter)
    upstream_s: float = 0.0
    upstream_calls: int = 0
    db_s: float = 0.0
    db_queries: int = 0
    queue_s: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add_upstream(self, seconds: float) -> None:
        with self._lock:  # fan-out threads add at once
            self.upstream_s += seconds
            self.upstream_calls += 1

    def add_db(self, seconds: float) -> None:
        with self._lock:
            self.db_s += seconds
            self.db_queries += 1

    def header(self, now: float | None = None) -> str:
        """The Server-Timing value: `app` up to now, then upstream, db and, when known,
        queue. Durations in ms (the header's unit). One f-string: it is written on every
        response, and the instrumentation's cost is measured."""
        app_ms = ((time.perf_counter() if now is None else now) - self.started) * 1000
        if not (self.upstream_calls or self.db_queries) and self.queue_s is None:
            # Most answers (/ping, pages): nothing to add up, one number to format.
            return f'app;dur={app_ms:.1f};desc="Django: middleware and view", {NO_CALLS}'
        with self._lock:
            upstream_ms, calls = self.upstream_s * 1000, self.upstream_calls
            db_ms, queries = self.db_s * 1000, self.db_queries
        calls_word = "call" if calls == 1 else "calls"
        queries_word = "query" if queries == 1 else "queries"
        value = (
            f'app;dur={app_ms:.1f};desc="Django: middleware and view", '
            f'upstream;dur={upstream_ms:.1f};desc="{calls} {calls_word}", '
            f'db;dur={db_ms:.1f};desc="{queries} {queries_word}"'
        )
        if self.queue_s is not None:
            value += f', queue;dur={self.queue_s * 1000:.1f};desc="proxy to Django"'
        return value


def queue_seconds(meta: dict[str, Any], arrived: float) -> float | None:
    """How long the request waited between the proxy and Django (the server's backlog, a
    worker's accept, Django's own start), from nginx's stamp; None without a proxy."""
    raw = meta.get(REQUEST_START_HEADER, "")
    if not raw:  # no proxy: the usual case, without the failed float() below
        return None
    value = raw[2:] if raw.startswith("t=") else raw
    try:
        stamp = float(value)
    except ValueError:
        return None
    waited = arrived - stamp
    # Clocks of one machine (or one compose host): a negative wait is rounding, a huge one a
    # forged or foreign stamp.
    if not -1.0 <= waited <= MAX_QUEUE_S:
        return None
    return max(0.0, waited)


_current: contextvars.ContextVar[RequestTiming | None] = contextvars.ContextVar(
    "lab_request_timing", default=None
)


def start(meta: dict[str, Any]) -> tuple[RequestTiming, contextvars.Token[RequestTiming | None]]:
    timing = RequestTiming()
    if REQUEST_START_HEADER in meta:  # behind the proxy: how long the request queued
        timing.queue_s = queue_seconds(meta, time.time())
    return timing, _current.set(timing)


def stop(token: contextvars.Token[RequestTiming | None]) -> None:
    _current.reset(token)


def current() -> RequestTiming | None:
    return _current.get()


def carried[T](call: Callable[..., T]) -> Callable[..., T]:
    """`call` bound to this request's timing, for a thread that does not inherit the context
    (a ThreadPoolExecutor's)."""
    timing = _current.get()

    def run(*args: Any, **kwargs: Any) -> T:
        token = _current.set(timing)
        try:
            return call(*args, **kwargs)
        finally:
            _current.reset(token)

    return run
