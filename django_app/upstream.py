"""Calls to the slow upstream, as the views make them.

- Sync: one `httpx.Client` per process, shared by all threads (it is thread-safe and already
  a dependency; its pool is sized explicitly instead of httpx's silent 100-connection cap).
- Async: one client per process *and event loop* (an aiohttp session or httpx AsyncClient is
  bound to the loop that made it), aiohttp by default (ASYNC_HTTP_CLIENT; it measures several
  times faster than httpx's async pool under concurrency).
- Under WSGI Django runs an async view on a fresh event loop per request that is closed when
  the view returns, so a shared client would hold connections of dead loops: there the view
  gets a short-lived client, closed before the loop goes. That cost is part of the lesson.

Every failure becomes an `UpstreamError`: 504 when the upstream did not answer within
UPSTREAM_TIMEOUT_S, 502 when it was unreachable, reset the connection or answered an error.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any, Protocol

import aiohttp
import httpx
from django.conf import settings
from prometheus_client import Histogram

from contracts.settings import LabSettings
from django_app.observability import metrics, timing
from django_app.observability.server import Server


class UpstreamError(Exception):
    """The upstream failed this call; `status` is what the view answers (502 or 504)."""

    def __init__(self, status: int, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details


def slow_url(lab: LabSettings) -> str:
    return lab.upstream_url.rstrip("/") + "/slow"


def _answer(status: int, body: bytes) -> dict[str, Any]:
    if status != 200:
        raise UpstreamError(502, "upstream answered an error", upstream_status=status)
    try:
        answer = json.loads(body)
    except ValueError:
        raise UpstreamError(502, "upstream answered something that is not JSON") from None
    if not isinstance(answer, dict):
        raise UpstreamError(502, "upstream answered something that is not a JSON object")
    return answer


def _failure(exc: BaseException, lab: LabSettings) -> UpstreamError | None:
    """The UpstreamError for a client exception, or None if it is not a network failure."""
    # Timeouts first: aiohttp's timeout errors are also ClientErrors.
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return UpstreamError(504, f"upstream did not answer within {lab.upstream_timeout_s:g} s")
    if isinstance(exc, aiohttp.ClientError | httpx.TransportError | ConnectionError):
        reason = type(exc).__name__
        return UpstreamError(502, "upstream unreachable or connection lost", reason=reason)
    return None


def _outcome(error: UpstreamError) -> str:
    if error.status == 504:
        return "timeout"
    return "error_status" if "upstream_status" in error.details else "connection_error"


@functools.lru_cache(maxsize=64)
def _duration_of(server: Server, client_name: str, outcome: str) -> Histogram:
    """The call's series, looked up once (labels() builds and locks on every call); a few
    clients times a few outcomes."""
    return metrics.UPSTREAM_DURATION.labels(server, client_name, outcome)


@contextlib.contextmanager
def _recorded(
    server: Server, client_name: str, lab: LabSettings, unfinished: str
) -> Iterator[None]:
    """Around one upstream call: a client failure becomes an UpstreamError (502/504), and the
    call's duration is recorded by outcome. `unfinished` is the outcome when something other
    than an Exception ends the call."""
    started = time.perf_counter()
    outcome = unfinished
    try:
        yield
        outcome = "ok"
    except Exception as exc:
        error = exc if isinstance(exc, UpstreamError) else _failure(exc, lab)
        if error is None:
            outcome = "error"
            raise
        outcome = _outcome(error)
        raise error from None
    finally:
        took = time.perf_counter() - started
        if lab.instrumented:
            _duration_of(server, client_name, outcome).observe(took)
        record = timing.current()
        if record is not None:
            record.add_upstream(took)


# The upstream (uvicorn) closes a connection idle for 5 s. A client that keeps one as long may
# send on it just as it closes, and the call fails ("server disconnected") through no fault of
# the upstream's: every client here lets idle connections go a second earlier.
IDLE_S = 4.0

# --- sync ------------------------------------------------------------------------------------

_sync_client: httpx.Client | None = None
_sync_lock = threading.Lock()


def sync_client() -> httpx.Client:
    global _sync_client
    if _sync_client is None:
        with _sync_lock:
            if _sync_client is None:
                lab: LabSettings = settings.LAB
                _sync_client = httpx.Client(
                    limits=httpx.Limits(
                        max_connections=lab.upstream_pool_size,
                        max_keepalive_connections=lab.upstream_pool_size,
                        keepalive_expiry=IDLE_S,
                    ),
                    timeout=httpx.Timeout(lab.upstream_timeout_s),
                    trust_env=False,  # no proxy from the environment between lab services
                )
    return _sync_client


def _query(delay_ms: int | None) -> dict[str, int]:
    # No delay_ms: the upstream's own configuration decides (live, with its distributions).
    return {} if delay_ms is None else {"delay_ms": delay_ms}


def call_sync(server: Server, delay_ms: int | None) -> dict[str, Any]:
    """One blocking call: the calling thread waits for the whole upstream delay."""
    lab: LabSettings = settings.LAB
    with _recorded(server, "httpx-sync", lab, unfinished="error"):
        return _get_sync(lab, delay_ms)


def _get_sync(lab: LabSettings, delay_ms: int | None) -> dict[str, Any]:
    # httpx times each phase (connect, every read, pool wait) but has no total: a body dripped
    # a byte at a time would never trip it. So the body is streamed and a monotonic deadline
    # checked at every chunk, like the async clients' total timeout. A silent read is still
    # cut by the per-phase timeout, so the call ends within UPSTREAM_TIMEOUT_S plus at most
    # one gap between chunks.
    deadline = time.monotonic() + lab.upstream_timeout_s
    with sync_client().stream(
        "GET", slow_url(lab), params=_query(delay_ms), timeout=lab.upstream_timeout_s
    ) as r:
        body = bytearray()
        if time.monotonic() > deadline:
            raise TimeoutError
        for chunk in r.iter_bytes():
            body += chunk
            if time.monotonic() > deadline:
                raise TimeoutError
    return _answer(r.status_code, bytes(body))


# --- async -----------------------------------------------------------------------------------


class AsyncUpstream(Protocol):
    name: str

    async def get(
        self, url: str, params: dict[str, int], timeout_s: float
    ) -> tuple[int, bytes]: ...

    async def aclose(self) -> None: ...


class AiohttpUpstream:
    name = "aiohttp"

    def __init__(self, lab: LabSettings) -> None:
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(
                limit=lab.upstream_pool_size, limit_per_host=0, keepalive_timeout=IDLE_S
            ),
            timeout=aiohttp.ClientTimeout(total=lab.upstream_timeout_s),
        )
        # aiohttp re-sends a GET once when a reused keep-alive connection is closed without an
        # answer: a hang that ends in a close would come back as a slow 200 from a second call,
        # hiding the fault and doubling the upstream's load. The lab reports every call as it
        # went. (No public switch exists; this is the flag its retry reads.)
        self.session._retry_connection = False

    async def get(self, url: str, params: dict[str, int], timeout_s: float) -> tuple[int, bytes]:
        async with self.session.get(
            url, params=params, timeout=aiohttp.ClientTimeout(total=timeout_s)
        ) as r:
            return r.status, await r.read()

    async def aclose(self) -> None:
        await self.session.close()


class HttpxUpstream:
    name = "httpx"

    def __init__(self, lab: LabSettings) -> None:
        size = lab.upstream_pool_size
        self.client = httpx.AsyncClient(
            limits=httpx.Limits(
                max_connections=size, max_keepalive_connections=size, keepalive_expiry=IDLE_S
            ),
            timeout=httpx.Timeout(lab.upstream_timeout_s),
            trust_env=False,
        )

    async def get(self, url: str, params: dict[str, int], timeout_s: float) -> tuple[int, bytes]:
        # httpx has no total timeout; bound the whole call like aiohttp's `total`.
        async with asyncio.timeout(timeout_s):
            r = await self.client.get(url, params=params, timeout=timeout_s)
            return r.status_code, r.content

    async def aclose(self) -> None:
        await self.client.aclose()


def make_async_client(lab: LabSettings) -> AsyncUpstream:
    if lab.async_http_client == "httpx":
        return HttpxUpstream(lab)
    return AiohttpUpstream(lab)


_async_clients: dict[asyncio.AbstractEventLoop, AsyncUpstream] = {}


def shared_async_client() -> AsyncUpstream:
    loop = asyncio.get_running_loop()
    client = _async_clients.get(loop)
    if client is None:
        for old in [lp for lp in _async_clients if lp.is_closed()]:
            del _async_clients[old]
        client = _async_clients[loop] = make_async_client(settings.LAB)
    return client


@contextlib.asynccontextmanager
async def async_client(server: Server) -> AsyncIterator[AsyncUpstream]:
    """The client for an async view: shared under ASGI, short-lived under WSGI (see above)."""
    if server == "asgi":
        yield shared_async_client()
        return
    client = make_async_client(settings.LAB)
    try:
        yield client
    finally:
        await client.aclose()


async def close_async_clients() -> None:
    """Close this loop's shared client (tests, orderly shutdown)."""
    client = _async_clients.pop(asyncio.get_running_loop(), None)
    if client is not None:
        await client.aclose()


async def call_async(server: Server, client: AsyncUpstream, delay_ms: int | None) -> dict[str, Any]:
    """One non-blocking call: the event loop serves others while this one waits."""
    lab: LabSettings = settings.LAB
    # A call cut short by cancellation (the client went away) ends as "cancelled".
    with _recorded(server, client.name, lab, unfinished="cancelled"):
        status, body = await client.get(slow_url(lab), _query(delay_ms), lab.upstream_timeout_s)
        return _answer(status, body)
