"""Measure one point of a sweep: C closed-loop users on a server until enough requests have
answered, with the server's and the upstream's /metrics read before and after (who spent
the CPU) and the apparatus checked (CPU steal, the generator's own CPU, a late upstream)."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from lab import machine_cpu
from lab.exercise import apparatus
from lab.exercise.measure import ServerWatch
from lab.sweep import curve
from lab.sweep.grid import ANSWERS_PER_USER, MIN_POINT_S, Grid
from loadgen import closedloop

TIMEOUT_S = 30.0  # per request: far above any wait of the grid, so a timeout is a stall


def measure(
    url: str,
    path: str,
    users: int,
    delay_ms: int,
    grid: Grid,
    server_limit: int | None,
    *,
    upstream: str,
    local: bool,
) -> dict[str, Any]:
    return asyncio.run(
        _measure(url, path, users, delay_ms, grid, server_limit, upstream=upstream, local=local)
    )


async def _measure(
    url: str,
    path: str,
    users: int,
    delay_ms: int,
    grid: Grid,
    server_limit: int | None,
    *,
    upstream: str,
    local: bool,
) -> dict[str, Any]:
    watch = ServerWatch(url + "/metrics", upstream_url=upstream + "/metrics", local=local)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        await watch.upstream(session)
        await watch.scrape(session)
        steal_before = machine_cpu.cpu_ticks()
        result = await closedloop.run_until_async(
            url + path,
            users,
            min_requests=grid.min_requests,
            max_s=grid.point_cap_s,
            min_s=MIN_POINT_S,
            answers_per_user=ANSWERS_PER_USER,
            timeout_s=TIMEOUT_S,
        )
        steal = apparatus.steal_fraction(steal_before, machine_cpu.cpu_ticks())
        await watch.scrape(session)
        await watch.upstream(session)
    cpu = {k: round(v, 3) for k, v in watch.cpu_shares().items()}
    checks = apparatus.Apparatus(
        steal_fraction=None if steal is None else round(steal, 4),
        generator_cores=cpu.get("generator_cpu"),
        upstream_overshoot_p99_ms=apparatus.overshoot_p99_ms(
            watch.upstream_first, watch.upstream_last
        ),
    )
    by_users = result.throughput_by_users()
    # A capped point may leave a user with one answer: then the successes ÷ the time.
    throughput = by_users if by_users is not None else result.throughput
    bound = curve.bound_rps(users, server_limit, delay_ms)
    latency = result.latency.summary_ms()
    point: dict[str, Any] = {
        "users": users,
        "status": "measured",
        "throughput_rps": round(throughput, 3),
        "throughput_method": "users' rates" if by_users is not None else "answers ÷ time",
        "bound_rps": round(bound, 3),
        "ratio": round(throughput / bound, 3),
        "p50_ms": round(latency["p50"], 2) if "p50" in latency else None,
        "p99_ms": round(latency["p99"], 2) if "p99" in latency else None,
        "requests": result.ok,
        "errors": sum(result.errors.values()),
        "error_kinds": dict(result.errors),
        "duration_s": round(result.duration_s, 3),
        "capped": result.capped,
        "cpu": cpu,
        "generator_saturated": (checks.generator_cores or 0.0) > apparatus.GENERATOR_LIMIT,
        "apparatus": checks.as_dict(),
    }
    return point
