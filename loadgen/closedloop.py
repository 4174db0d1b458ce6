"""A closed-model load generator: N users, each sending its next request as soon as the
previous one answers, for a fixed duration (what Locust, ab or wrk do).

Its latency is the service time a user sees, and its throughput is what N users at a time
can get out of the server: Little's law, throughput = N ÷ latency. Use it to hold a given
concurrency on a server; use `loadgen.openmodel` to ask what a user arriving on a clock waits.

    from loadgen.closedloop import run
    result = run("http://127.0.0.1:8002/io/async?delay_ms=200", users=10, duration_s=10)
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from loadgen.openmodel.latency import Latency

_now = time.perf_counter
_ERROR_PAUSE_S = 0.01  # after a failure, so a refused connection does not spin the loop


@dataclass
class ClosedResult:
    url: str
    users: int
    duration_s: float
    latency: Latency = field(default_factory=Latency)  # successful requests
    all_latency: Latency = field(default_factory=Latency)  # every finished request
    ok: int = 0
    ok_in_window: int = 0  # successes that finished within the duration
    errors: Counter[str] = field(default_factory=Counter)

    @property
    def throughput(self) -> float:
        """Successful requests per second that finished within the duration."""
        return self.ok_in_window / self.duration_s

    def record(self, seconds: float, error: str | None, in_window: bool) -> None:
        self.all_latency.record(seconds)
        if error is None:
            self.ok += 1
            self.ok_in_window += in_window
            self.latency.record(seconds)
        else:
            self.errors[error] += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "users": self.users,
            "duration_s": self.duration_s,
            "ok": self.ok,
            "ok_in_window": self.ok_in_window,
            "throughput_rps": round(self.throughput, 3),
            "errors": dict(self.errors),
            "latency_ms": {k: round(v, 3) for k, v in self.latency.summary_ms().items()},
            "all_latency_ms": {k: round(v, 3) for k, v in self.all_latency.summary_ms().items()},
        }


async def run_async(
    url: str, users: int, duration_s: float, *, timeout_s: float = 30.0
) -> ClosedResult:
    """`users` users loop on GET `url` until `duration_s` has passed; requests still out at
    the end are waited for (their latency counts, their completion is outside the window)."""
    if users < 1:
        raise ValueError("users must be at least 1")
    if duration_s <= 0:
        raise ValueError("duration_s must be positive")
    result = ClosedResult(url, users, duration_s)
    connector = aiohttp.TCPConnector(limit=users, limit_per_host=0)
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        end = _now() + duration_s
        await asyncio.gather(*(_user(session, url, end, result) for _ in range(users)))
    return result


async def _user(session: aiohttp.ClientSession, url: str, end: float, result: ClosedResult) -> None:
    while (started := _now()) < end:
        error: str | None = None
        try:
            async with session.get(url) as response:
                await response.read()
            if response.status >= 400:
                error = f"HTTP {response.status}"
        except TimeoutError:
            error = "timeout"
        except aiohttp.ClientError as e:
            error = type(e).__name__
        done = _now()
        result.record(done - started, error, done <= end)
        if error is not None:
            await asyncio.sleep(_ERROR_PAUSE_S)


def run(url: str, users: int, duration_s: float, *, timeout_s: float = 30.0) -> ClosedResult:
    """Blocking entry point for scripts."""
    return asyncio.run(run_async(url, users, duration_s, timeout_s=timeout_s))
