"""Pure-Python CPU work, calibrated so that `burn(50)` costs about 50 ms of CPU.

The loop's speed is measured once per process (a few milliseconds, on first use) as the
fastest of a few short runs in *thread* CPU time, so threads waiting for the GIL at that
moment do not skew it. Under contention a burn still costs cpu_ms of CPU; its wall-clock
time grows, which is the point of the CPU scenarios.
"""

from __future__ import annotations

import functools
import time

CALIBRATION_ITERATIONS = 50_000
CALIBRATION_RUNS = 5


def spin(iterations: int) -> int:
    """Integer arithmetic in the interpreter: holds the GIL, touches no memory to speak of."""
    x = 0
    for i in range(iterations):
        x = (x * 31 + i) & 0xFFFF
    return x


@functools.cache
def iterations_per_ms() -> float:
    best = float("inf")
    for _ in range(CALIBRATION_RUNS):
        started = time.thread_time()
        spin(CALIBRATION_ITERATIONS)
        best = min(best, time.thread_time() - started)
    return CALIBRATION_ITERATIONS / max(best * 1000, 1e-3)


def burn(cpu_ms: int) -> int:
    """About cpu_ms milliseconds of CPU; returns a checksum so the work cannot be skipped."""
    return spin(round(cpu_ms * iterations_per_ms()))
