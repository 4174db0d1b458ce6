"""Send requests on a fixed schedule with one aiohttp session (wrk2 / k6 arrival-rate style).

Each request is due at t0 + offset; its latency is measured from that intended time, so
when the server (or the generator) falls behind, the wait shows up in the numbers instead
of silently lowering the load.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

import aiohttp

from contracts.settings import DEFAULT_MAX_IN_FLIGHT
from loadgen.openmodel.result import Result
from loadgen.openmodel.saturation import CpuMeter
from loadgen.openmodel.schedule import Stage, intended_offsets, total_duration, total_requests

_LEAD_S = 0.05  # start the clock a moment after setup, so request 0 is not late by design
# perf_counter, not loop.time(): uvloop's clock only ticks in whole milliseconds.
_now = time.perf_counter


async def run_async(
    url: str,
    stages: Sequence[Stage],
    *,
    timeout_s: float = 30.0,
    max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
    fresh_connections: bool = False,
) -> Result:
    """GET `url` on the stages' schedule, dropping arrivals while `max_in_flight` requests are
    out, and return what was measured once the last reply is in. `fresh_connections`: a new
    connection for each request, none kept alive."""
    result = _planned(url, stages, max_in_flight)
    cpu = CpuMeter()
    # No per-host cap below our own in-flight limit: the pool must never be the bottleneck.
    connector = aiohttp.TCPConnector(
        limit=max_in_flight, limit_per_host=0, force_close=fresh_connections
    )
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        requests = _Requests(session, url, result)
        cpu.start()
        t0 = _now() + _LEAD_S
        last_start = await _send_on_schedule(requests, stages, t0, max_in_flight)
        result.send_span_s = max(result.duration_s, last_start - t0 + 1 / stages[-1].rate)
        await requests.all_done()
        result.cpu_cores = cpu.stop()
    return result


def _planned(url: str, stages: Sequence[Stage], max_in_flight: int) -> Result:
    """The empty result of a run, once its arguments are checked."""
    if not stages:
        raise ValueError("no stages: nothing to send")
    if max_in_flight < 1:
        raise ValueError("max_in_flight must be at least 1")
    duration = total_duration(stages)
    return Result(
        url=url,
        requested_rate=total_requests(stages) / duration,
        duration_s=duration,
        planned=total_requests(stages),
    )


async def _send_on_schedule(
    requests: _Requests, stages: Sequence[Stage], t0: float, max_in_flight: int
) -> float:
    """Start each request at t0 + its offset, or drop it when `max_in_flight` are out; returns
    when the last one started (t0 if none did)."""
    last_start = t0
    for offset in intended_offsets(stages):
        intended = t0 + offset
        wait = intended - _now()
        if wait > 0:
            await asyncio.sleep(wait)
        if requests.in_flight >= max_in_flight:
            # k6's dropped_iterations: the arrival is lost, not delayed.
            requests.result.dropped += 1
            continue
        last_start = requests.start(intended)
    return last_start


class _Requests:
    """The requests of one run: each timed from its intended start and recorded in `result`."""

    def __init__(self, session: aiohttp.ClientSession, url: str, result: Result) -> None:
        self.session = session
        self.url = url
        self.result = result
        self.in_flight = 0
        self._loop = asyncio.get_running_loop()
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, intended: float) -> float:
        """Send one request due at `intended` without waiting for it; returns when it started."""
        self.in_flight += 1
        started = _now()
        task = self._loop.create_task(self._one(intended))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return started

    async def all_done(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks)

    async def _one(self, intended: float) -> None:
        started = _now()
        self.result.record_start(started - intended)
        error: str | None = None
        try:
            async with self.session.get(self.url) as response:
                await response.read()
                done = _now()
            if response.status >= 400:
                error = f"HTTP {response.status}"
        except TimeoutError:
            done, error = _now(), "timeout"
        except aiohttp.ClientError as e:
            done, error = _now(), type(e).__name__
        finally:
            self.in_flight -= 1
        self.result.record_response(intended, started, done, error)


def run(
    url: str,
    stages: Sequence[Stage],
    *,
    timeout_s: float = 30.0,
    max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
) -> Result:
    """Blocking entry point for scripts and exercises."""
    return asyncio.run(
        run_async(url, stages, timeout_s=timeout_s, max_in_flight=max_in_flight),
        loop_factory=_loop_factory(),
    )


def run_each(
    urls: dict[str, str],
    stages: Sequence[Stage],
    *,
    timeout_s: float = 30.0,
    max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
) -> dict[str, Result]:
    """One schedule per URL, all at the same moment on one event loop: the same arrivals
    at each (say each server), measured apart. Each has its own `max_in_flight`."""

    async def each() -> dict[str, Result]:
        runs = [
            run_async(url, stages, timeout_s=timeout_s, max_in_flight=max_in_flight)
            for url in urls.values()
        ]
        return dict(zip(urls, await asyncio.gather(*runs), strict=True))

    return asyncio.run(each(), loop_factory=_loop_factory())


def _loop_factory() -> type[asyncio.AbstractEventLoop] | None:
    # uvloop (shipped with uvicorn[standard]) roughly halves the generator's CPU per request.
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.Loop
