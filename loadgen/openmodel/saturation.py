"""Is the generator itself the bottleneck? A saturated generator under-delivers load and
adds its own delay to every latency it reports, so the report must say so."""

from __future__ import annotations

import time

import psutil

CPU_LIMIT = 0.90  # of one core: the generator is one asyncio thread
RATE_TOLERANCE = 0.05
LATE_START_S = 0.010


class CpuMeter:
    """Process CPU time over wall time, in cores, between start() and stop()."""

    def __init__(self) -> None:
        self._proc = psutil.Process()
        self._cpu0 = 0.0
        self._wall0 = 0.0

    def start(self) -> None:
        t = self._proc.cpu_times()
        self._cpu0, self._wall0 = t.user + t.system, time.monotonic()

    def stop(self) -> float:
        t = self._proc.cpu_times()
        wall = time.monotonic() - self._wall0
        return (t.user + t.system - self._cpu0) / wall if wall > 0 else 0.0


def warnings(
    *,
    cpu_cores: float,
    requested_rate: float,
    achieved_rate: float,
    sent: int,
    late_starts: int,
    dropped: int,
) -> list[str]:
    found = []
    if cpu_cores >= CPU_LIMIT:
        found.append(
            f"generator CPU at {cpu_cores:.0%} of a core: it is saturated, its rate and "
            "latencies are not trustworthy; lower the rate or run several generators"
        )
    found += behind_schedule(
        requested_rate=requested_rate,
        achieved_rate=achieved_rate,
        sent=sent,
        late_starts=late_starts,
    )
    if dropped:
        found.append(
            f"{dropped} requests dropped: the in-flight limit was reached (the server is "
            "slower than the arrival rate, or the limit is too low)"
        )
    return found


def behind_schedule(
    *, requested_rate: float, achieved_rate: float, sent: int, late_starts: int
) -> list[str]:
    """The generator fell behind its own clock: it started fewer requests than asked, or
    started them late. Unlike its CPU share, this also shows a generator starved of CPU by
    other work (it gets little CPU, so its share stays low)."""
    found = []
    if achieved_rate < requested_rate * (1 - RATE_TOLERANCE):
        found.append(
            f"requested {requested_rate:.1f} req/s but started {achieved_rate:.1f} req/s: "
            "the generator could not keep its schedule"
        )
    if sent and late_starts / sent > 0.01:
        found.append(
            f"{late_starts} of {sent} requests started more than "
            f"{LATE_START_S * 1000:.0f} ms after their intended time (generator overloaded)"
        )
    return found
