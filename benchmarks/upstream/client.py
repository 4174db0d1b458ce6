"""Open-model load client: sends GET requests at a fixed arrival rate, whatever the answers.

The first DELAY_S of arrivals is a warm-up (it opens the connections) and is not measured;
the client prints "steady" when it ends, so the caller can snapshot the server then.
Then it prints one JSON object: client-side overshoot (latency minus the delay asked)
percentiles, failures, how late the client itself sent (its own saturation) and its CPU use.
Usage: python -m benchmarks.upstream.client URL RATE DURATION_S DELAY_S

The client is a bare HTTP/1.1 keep-alive client on asyncio protocols (one pre-built request,
Content-Length framing), not a general-purpose library: at 1,000 requests/s a full client
spends more CPU per request than the server under test, and its own event-loop delays would
show up as the server's overshoot. The garbage collector is off while measuring, for the
same reason (a full collection with 1,000 requests in flight is a multi-ms pause).
"""

from __future__ import annotations

import asyncio
import gc
import json
import resource
import sys
from time import perf_counter
from typing import TypedDict, cast
from urllib.parse import urlsplit

import psutil
import uvloop


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


class Connection(asyncio.Protocol):
    """One keep-alive connection; one request at a time, answered through a future."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[int] | None = None
        self.broken = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0 or self.waiter is None:
            return
        head = bytes(self.buffer[:end])
        length = content_length(head)
        if len(self.buffer) < end + 4 + length:
            return
        status = int(self.buffer[9:12])
        del self.buffer[: end + 4 + length]
        # HTTP/1.0 servers (werkzeug's) close after each response: do not reuse those.
        if head.startswith(b"HTTP/1.0") or b"connection: close" in head.lower():
            self.broken = True
        waiter, self.waiter = self.waiter, None
        if not waiter.done():
            waiter.set_result(status)

    def connection_lost(self, exc: Exception | None) -> None:
        self.broken = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionResetError("connection closed"))

    def request(self, raw: bytes) -> asyncio.Future[int]:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(raw)
        return self.waiter


class Report(TypedDict):
    """What the client prints at the end, as one JSON object."""

    sent: int
    cpu_share: float
    ok: int
    failures: dict[str, int]  # count by kind
    p50_ms: float
    p99_ms: float
    send_lag_p99_ms: float


async def run(url: str, rate: float, duration: float, delay: float) -> Report:
    """Send `rate` requests a second for `duration` after a warm-up; the overshoots.

    Long on purpose: the sender (`one`) closes over the connection pool and the tallies, and
    the schedule beside it reads as one piece; splitting it would pass six mutable pieces of
    state between functions on the measured path."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    raw = f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
    loop = asyncio.get_running_loop()
    idle: list[Connection] = []

    warmup = int(rate * delay)
    count = warmup + int(rate * duration)
    overshoots: list[float] = []
    lags: list[float] = []
    failures: dict[str, int] = {}

    # Sockets are bounded by the file limit: past it, a request is dropped, not sent.
    room = resource.getrlimit(resource.RLIMIT_NOFILE)[0] - 256
    in_flight = 0

    def fail(kind: str, measured: bool) -> None:
        if measured:  # the warm-up's failures are not part of the measurement
            failures[kind] = failures.get(kind, 0) + 1

    async def one(intended: float, measured: bool) -> None:
        nonlocal in_flight
        if not idle and in_flight >= room:
            fail("dropped (too many in flight)", measured)
            return
        in_flight += 1
        conn: Connection | None = None
        try:
            if idle:
                conn = idle.pop()
                start = perf_counter()
            else:  # mostly in the warm-up: at steady state a connection is free
                start = perf_counter()
                _, conn = await loop.create_connection(Connection, host, port)
            if measured:
                lags.append(start - intended)
            status = await asyncio.wait_for(conn.request(raw), delay + 10)
        except (OSError, TimeoutError, RuntimeError) as e:  # RuntimeError: closed transport
            fail(type(e).__name__, measured)
            if conn is not None and conn.transport is not None:
                conn.transport.close()
            return
        finally:
            in_flight -= 1
        end = perf_counter()
        if conn.broken or conn.transport is None or conn.transport.is_closing():
            if conn.transport is not None:
                conn.transport.close()
        else:
            idle.append(conn)
        if status != 200:
            fail(str(status), measured)
        elif measured:
            overshoots.append(end - start - delay)

    me = psutil.Process()
    cpu0 = 0.0
    tasks = []
    t0 = perf_counter() + 0.05
    for i in range(count):
        if i == warmup:
            print("steady", flush=True)
            gc.collect()
            gc.disable()
            cpu0 = _cpu(me)
        intended = t0 + i / rate
        pause = intended - perf_counter()
        if pause > 0:
            await asyncio.sleep(pause)
        tasks.append(asyncio.create_task(one(intended, i >= warmup)))
    # While sending, the client must not be the bottleneck.
    cpu_share = (_cpu(me) - cpu0) / duration
    await asyncio.gather(*tasks)
    gc.enable()
    for conn in idle:
        if conn.transport is not None:
            conn.transport.close()

    overshoots.sort()
    lags.sort()
    return {
        "sent": count - warmup,
        "cpu_share": cpu_share,
        "ok": len(overshoots),
        "failures": failures,
        "p50_ms": percentile(overshoots, 0.50) * 1000,
        "p99_ms": percentile(overshoots, 0.99) * 1000,
        "send_lag_p99_ms": percentile(lags, 0.99) * 1000,
    }


def _cpu(p: psutil.Process) -> float:
    t = p.cpu_times()
    return t.user + t.system


def main() -> None:
    url, rate, duration, delay = sys.argv[1], *map(float, sys.argv[2:5])
    # One socket per concurrent wait: thousands of them, past the usual soft limit of 1,024.
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    print(json.dumps(uvloop.run(run(url, rate, duration, delay))))


if __name__ == "__main__":
    main()
