"""A closed-model load generator: N users, each sending its next request as soon as the
previous one answers, for a fixed duration (what Locust, ab or wrk do).

Its latency is the service time a user sees, and its throughput is what N users at a time
can get out of the server: Little's law, throughput = N ÷ latency. Use it to hold a given
concurrency on a server; use `loadgen.openmodel` to ask what a user arriving on a clock waits.
`run_until_async` runs until enough requests have answered instead of for a fixed time (a
sweep's point: a sync server at 400 users and 1 s needs minutes for one round).

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
    capped: bool = False  # run_until: stopped by its time cap, not by enough answers
    # run_until: each user's successes, and the time from its first success to its last
    user_spans: list[tuple[int, float]] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        """Successful requests per second that finished within the duration."""
        return self.ok_in_window / self.duration_s

    def throughput_by_users(self) -> float | None:
        """Each user's successes per second between its first and its last one, summed: a
        closed loop's users each send the next request when one answers, so their rates
        add up, and whole intervals never cut a round of answers in two at a window's edge
        (the first answer, which also opened a connection, only starts the clock). None
        when a user had fewer than two successes."""
        if not self.user_spans or any(n < 2 or s <= 0 for n, s in self.user_spans):
            return None
        return sum((n - 1) / s for n, s in self.user_spans)

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
        error = await _one(session, url)
        done = _now()
        result.record(done - started, error, done <= end)
        if error is not None:
            await asyncio.sleep(_ERROR_PAUSE_S)


async def run_until_async(
    url: str,
    users: int,
    *,
    min_requests: int,
    max_s: float,
    min_s: float = 0.0,
    answers_per_user: int = 3,
    timeout_s: float = 30.0,
) -> ClosedResult:
    """`users` users loop on GET `url` until `min_requests` have succeeded, each user has
    had `answers_per_user` successes (so each user's rate spans whole requests) and `min_s`
    has passed, or until `max_s` has passed (`capped`). Requests still out then are waited
    for; `duration_s` is the time until the stop, `ok_in_window` the successes before it."""
    if users < 1 or min_requests < 1 or answers_per_user < 1:
        raise ValueError("users, min_requests and answers_per_user must be at least 1")
    if not 0 <= min_s < max_s:
        raise ValueError("need 0 <= min_s < max_s")
    result = ClosedResult(url, users, max_s)
    done = asyncio.Event()
    counts = [0] * users
    first = [0.0] * users
    last = [0.0] * users
    enough = 0  # users with answers_per_user successes so far

    async def user(session: aiohttp.ClientSession, index: int) -> None:
        nonlocal enough
        while not done.is_set():
            started = _now()
            error = await _one(session, url)
            finished = _now()
            result.record(finished - started, error, not done.is_set())
            if error is not None:
                await asyncio.sleep(_ERROR_PAUSE_S)
                continue
            counts[index] += 1
            first[index] = first[index] if counts[index] > 1 else finished
            last[index] = finished
            enough += counts[index] == answers_per_user
            if (
                result.ok >= min_requests
                and enough == users
                and finished - begun >= min_s
                and not done.is_set()
            ):
                result.duration_s = finished - begun
                done.set()

    connector = aiohttp.TCPConnector(limit=users, limit_per_host=0)
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        begun = _now()
        tasks = [asyncio.create_task(user(session, i)) for i in range(users)]
        try:
            await asyncio.wait_for(done.wait(), max_s)
        except TimeoutError:
            result.capped = True
            result.duration_s = _now() - begun
            done.set()
        await asyncio.gather(*tasks)
    result.user_spans = [(n, last[i] - first[i]) for i, n in enumerate(counts)]
    return result


async def _one(session: aiohttp.ClientSession, url: str) -> str | None:
    """One GET, read to the end: None, or what went wrong."""
    try:
        async with session.get(url) as response:
            await response.read()
    except TimeoutError:
        return "timeout"
    except aiohttp.ClientError as e:
        return type(e).__name__
    return f"HTTP {response.status}" if response.status >= 400 else None


def run(url: str, users: int, duration_s: float, *, timeout_s: float = 30.0) -> ClosedResult:
    """Blocking entry point for scripts."""
    return asyncio.run(run_async(url, users, duration_s, timeout_s=timeout_s))
