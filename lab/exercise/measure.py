"""What a phase measured: the client side from the generators' HdrHistograms, the server
side from the server's own `/metrics` (OS threads, requests in flight, event-loop lag)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from loadgen.closedloop import ClosedResult
from loadgen.openmodel import Result

Sample = tuple[str, dict[str, str], float]


def client_values(main: ClosedResult | Result, probe: Result | None) -> dict[str, float]:
    """The quantities rules can name, from the generators' results (absent: not measured)."""
    probe_errors = sum(probe.errors.values()) if probe else 0
    values: dict[str, float] = {
        "errors": sum(main.errors.values()) + probe_errors,
        "probe_errors": probe_errors,
    }
    if isinstance(main, ClosedResult):
        values["throughput"] = main.throughput
    else:
        values["throughput"] = main.ok / main.duration_s
    latency = main.latency.summary_ms()
    for p in ("p50", "p90", "p99"):
        if p in latency:
            values[p] = latency[p]
    if latency.get("p50", 0) > 0 and "p99" in latency:
        values["p99/p50"] = latency["p99"] / latency["p50"]
    if probe is not None:
        # Every probe request, failed ones included: a timed-out /ping waited longest of all.
        waited = probe.all_latency.summary_ms()
        for p in ("p50", "p99"):
            if p in waited:
                values[f"probe_{p}"] = waited[p]
    return values


def samples(text: str) -> Iterator[Sample]:
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            yield s.name, s.labels, s.value


def threads_by_pid(text: str) -> dict[str, int]:
    return {
        labels.get("pid", "?"): int(value)
        for name, labels, value in samples(text)
        if name == "lab_process_threads"
    }


def in_flight(text: str) -> int:
    """Requests being served, the scrape itself left out."""
    return int(
        sum(
            value
            for name, labels, value in samples(text)
            if name == "lab_http_requests_in_flight" and labels.get("route") != "metrics"
        )
    )


def lag_buckets(text: str) -> dict[float, float]:
    out: dict[float, float] = {}
    for name, labels, value in samples(text):
        if name == "lab_event_loop_lag_seconds_bucket":
            le = float(labels["le"])
            out[le] = out.get(le, 0.0) + value
    return out


def lag_p99_bound_ms(before: Mapping[float, float], after: Mapping[float, float]) -> float | None:
    """The smallest bucket bound under which 99 % of the phase's loop-lag probes woke (ms);
    None if the loop was not probed (WSGI) or the probe did not run."""
    delta = {le: after[le] - before.get(le, 0.0) for le in after}
    total = delta.get(float("inf"), 0.0)
    if total <= 0:
        return None
    le = min(le for le, n in delta.items() if n >= 0.99 * total)
    return le * 1000 if le != float("inf") else None


@dataclass
class ServerWatch:
    """Scrapes one server's /metrics during a phase."""

    url: str
    threads_max: int = 0
    threads_at_max: dict[str, int] = field(default_factory=dict)
    in_flight_max: int = 0
    first: str = ""
    last: str = ""

    async def scrape(self, session: aiohttp.ClientSession) -> str | None:
        try:
            async with session.get(self.url) as r:
                text = await r.text()
        except (TimeoutError, aiohttp.ClientError):
            return None
        by_pid = threads_by_pid(text)
        if sum(by_pid.values()) >= self.threads_max:
            self.threads_max, self.threads_at_max = sum(by_pid.values()), by_pid
        self.in_flight_max = max(self.in_flight_max, in_flight(text))
        self.first = self.first or text
        self.last = text
        return text

    async def every(self, session: aiohttp.ClientSession, interval_s: float) -> None:
        while True:
            await self.scrape(session)
            await asyncio.sleep(interval_s)

    def summary(self) -> dict[str, Any]:
        lag_ms = None
        with contextlib.suppress(ValueError):
            lag_ms = lag_p99_bound_ms(lag_buckets(self.first), lag_buckets(self.last))
        return {
            "threads_max": self.threads_max,
            "threads_by_pid": self.threads_at_max,
            "in_flight_max": self.in_flight_max,
            "loop_lag_p99_le_ms": lag_ms,
        }
