"""Percentiles of the samples, and the machine's CPU use while they were taken."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

from lab.browser.chromium import Sample
from lab.machine_cpu import CpuTicks

PERCENTILES = (50, 95)
FIGURES = ("ttfb_ms", "fcp_ms", "lcp_ms", "lcp_minus_ttfb_ms")


def percentile(values: Sequence[float], p: float) -> float | None:
    """Linear between the two nearest ranks (numpy's default); None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def figures_of(sample: Sample) -> dict[str, float]:
    out = {
        name: value
        for name in ("ttfb_ms", "fcp_ms", "lcp_ms")
        if (value := getattr(sample, name)) is not None
    }
    if sample.lcp_ms is not None and sample.ttfb_ms is not None:
        # What the browser adds once the first byte is in: the rest of the body, parse, paint.
        out["lcp_minus_ttfb_ms"] = sample.lcp_ms - sample.ttfb_ms
    return out


def summary(samples: Sequence[Sample]) -> dict[str, float]:
    """`ttfb_ms_p50`, ... over the samples that loaded (status 200)."""
    ok = [figures_of(s) for s in samples if s.ok]
    out: dict[str, float] = {}
    for name in FIGURES:
        values = [f[name] for f in ok if name in f]
        for p in PERCENTILES:
            value = percentile(values, p)
            if value is not None:
                out[f"{name}_p{p}"] = round(value, 1)
    return out


def cpu_use(before: CpuTicks | None, after: CpuTicks | None) -> dict[str, Any]:
    """Cores busy on average (of `cores`) and the share stolen by the hypervisor."""
    if before is None or after is None or after.total <= before.total:
        return {"cores_busy": None, "cores": os.cpu_count(), "steal_fraction": None}
    span = after.total - before.total
    cores = os.cpu_count() or 1
    return {
        "cores_busy": round((after.busy - before.busy) / span * cores, 2),
        "cores": cores,
        "steal_fraction": round((after.steal - before.steal) / span, 3),
    }
