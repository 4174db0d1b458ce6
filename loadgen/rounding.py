"""Locust's response-time rounding, stated next to every Locust percentile the lab reports.

Locust keeps response times in a dict of rounded values to save memory, so its
percentiles are only as precise as these buckets (`locust.stats.bucket_response_time`:
about two significant digits).
"""

from __future__ import annotations

NOTE = (
    "Locust percentiles are rounded: exact below 100 ms, to 10 ms below 1 s, to 100 ms "
    "below 10 s, to 1 s above; Locust is also closed-loop (users wait for each reply), so "
    "under overload it under-reports latency. For exact, open-model numbers use `lab load`."
)


def locust_rounded_ms(ms: float) -> int:
    """The value Locust stores for a response time of `ms` milliseconds."""
    if ms < 100:
        return round(ms)
    if ms < 1000:
        return int(round(ms, -1))
    if ms < 10000:
        return int(round(ms, -2))
    return int(round(ms, -3))
