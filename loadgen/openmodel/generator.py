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


async def run_async(
    url: str,
    stages: Sequence[Stage],
    *,
    timeout_s: float = 30.0,
    max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
) -> Result:
    if not stages:
        raise ValueError("no stages: nothing to send")
    if max_in_flight < 1:
        raise ValueError("max_in_flight must be at least 1")
    duration = total_duration(stages)
    result = Result(
        url=url,
        requested_rate=total_requests(stages) / duration,
        duration_s=duration,
        planned=total_requests(stages),
    )
    loop = asyncio.get_running_loop()
    # perf_counter, not loop.time(): uvloop's clock only ticks in whole milliseconds.
    now = time.perf_counter
    in_flight = 0

    async def one(session: aiohttp.ClientSession, intended: float) -> None:
        nonlocal in_flight
        started = now()
        result.record_start(started - intended)
        error: str | None = None
        try:
            async with session.get(url) as response:
                await response.read()
                done = now()
            if response.status >= 400:
                error = f"HTTP {response.status}"
        except TimeoutError:
            done, error = now(), "timeout"
        except aiohttp.ClientError as e:
            done, error = now(), type(e).__name__
        finally:
            in_flight -= 1
        result.record_response(intended, started, done, error)

    cpu = CpuMeter()
    # No per-host cap below our own in-flight limit: the pool must never be the bottleneck.
    connector = aiohttp.TCPConnector(limit=max_in_flight, limit_per_host=0)
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    tasks: set[asyncio.Task[None]] = set()
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        cpu.start()
        t0 = now() + _LEAD_S
        last_start = t0
        for offset in intended_offsets(stages):
            intended = t0 + offset
            wait = intended - now()
            if wait > 0:
                await asyncio.sleep(wait)
            if in_flight >= max_in_flight:
                result.dropped += 1  # k6's dropped_iterations: the arrival is lost, not delayed
                continue
            in_flight += 1
            last_start = now()
            task = loop.create_task(one(session, intended))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        result.send_span_s = max(duration, last_start - t0 + 1 / stages[-1].rate)
        if tasks:
            await asyncio.gather(*tasks)
        result.cpu_cores = cpu.stop()
    return result


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


def _loop_factory() -> type[asyncio.AbstractEventLoop] | None:
    # uvloop (shipped with uvicorn[standard]) roughly halves the generator's CPU per request.
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.Loop
