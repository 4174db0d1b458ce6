"""Latency histograms (HdrHistogram, microseconds, 3 significant digits): unlike Locust's
rounded buckets, these keep every value within 0.1 %."""

from __future__ import annotations

from hdrh.histogram import HdrHistogram

PERCENTILES = (50.0, 90.0, 99.0, 99.9)
_MAX_US = 3_600_000_000  # one hour


class Latency:
    def __init__(self) -> None:
        self._h = HdrHistogram(1, _MAX_US, 3)

    def record(self, seconds: float) -> None:
        self._h.record_value(min(_MAX_US, max(1, round(seconds * 1e6))))

    @property
    def count(self) -> int:
        return int(self._h.get_total_count())

    def summary_ms(self) -> dict[str, float]:
        """mean, percentiles and max in milliseconds (empty if nothing was recorded)."""
        if self.count == 0:
            return {}
        out = {"mean": self._h.get_mean_value() / 1000.0}
        for p in PERCENTILES:
            out[f"p{p:g}"] = self._h.get_value_at_percentile(p) / 1000.0
        out["max"] = self._h.get_max_value() / 1000.0
        return out
