"""Draw one delay from a distribution. Every distribution gives exactly `delay_ms` when
`jitter_ms` is 0, so "fixed delay" is any distribution without jitter.

| distribution | delay drawn | role of jitter_ms |
|---|---|---|
| uniform | uniform in [delay - jitter, delay + jitter] | half-width (toxiproxy's latency toxic) |
| normal | Gaussian, mean delay | standard deviation |
| lognormal | median delay, long right tail | delay + jitter is the 84th percentile |
| exponential | delay + an exponential tail | mean of the tail (a floor plus queueing) |
"""

from __future__ import annotations

import math
import random


def sample_delay_ms(
    distribution: str, delay_ms: float, jitter_ms: float, rng: random.Random, cap_ms: float
) -> float:
    """A delay in ms, clipped to [0, cap_ms] so a tail can never exceed the server's cap."""
    if jitter_ms <= 0.0:
        value = delay_ms
    elif distribution == "uniform":
        value = rng.uniform(delay_ms - jitter_ms, delay_ms + jitter_ms)
    elif distribution == "normal":
        value = rng.gauss(delay_ms, jitter_ms)
    elif distribution == "lognormal":
        # exp(N(ln median, sigma)); one sigma up multiplies the median by (1 + jitter/delay).
        if delay_ms <= 0.0:
            value = 0.0
        else:
            sigma = math.log1p(jitter_ms / delay_ms)
            value = delay_ms * math.exp(rng.gauss(0.0, sigma))
    elif distribution == "exponential":
        value = delay_ms + rng.expovariate(1.0 / jitter_ms)
    else:
        raise ValueError(f"unknown distribution {distribution!r}")
    return min(max(value, 0.0), cap_ms)
