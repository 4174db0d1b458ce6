"""The load shapes' arithmetic: users wanted at time t of a run, or None when it is over.

Pure functions (the `LoadTestShape` classes in loadgen/shapes/ only call them), all scaled
by the two numbers a user types in the web UI or passes on the command line: the peak user
count (`-u`) and the run time (`-t`).
"""

from __future__ import annotations

import math

DEFAULT_DURATION_S = 60.0
Tick = tuple[int, float] | None


def _spawn_rate(peak: int) -> float:
    # Fast enough that each step is reached within a second or two.
    return max(1.0, peak / 2)


def steps(t: float, peak: int, duration_s: float, n_steps: int = 5) -> Tick:
    """Staircase: peak/n_steps more users every duration/n_steps seconds."""
    if t >= duration_s:
        return None
    step = min(n_steps, math.floor(t / (duration_s / n_steps)) + 1)
    return max(1, round(peak * step / n_steps)), _spawn_rate(peak)


def ramp(t: float, peak: int, duration_s: float) -> Tick:
    """Linear climb to the peak over 80 % of the run, then hold it."""
    if t >= duration_s:
        return None
    users = peak * min(1.0, t / (0.8 * duration_s))
    return max(1, round(users)), max(1.0, peak / (0.8 * duration_s) * 2)


def spike(t: float, peak: int, duration_s: float) -> Tick:
    """A baseline of 20 % of the peak, the full peak in the middle fifth, then the baseline."""
    if t >= duration_s:
        return None
    base = max(1, round(peak * 0.2))
    in_spike = 0.4 * duration_s <= t < 0.6 * duration_s
    # The spike arrives as fast as Locust can start users: that is what makes it a spike.
    return (peak if in_spike else base), float(max(peak, 1))
