"""What a phase measured: the client side from the generators' HdrHistograms, the server
side from the server's own `/metrics` (OS threads, requests in flight, event-loop lag,
requests answered) and from `/proc` for the worker processes that `/metrics` names (memory
and CPU time; the engine's servers run on this machine)."""

from __future__ import annotations

import asyncio
import contextlib
import os
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


def answered(text: str) -> float:
    """Requests the server has finished, its own scrapes left out."""
    return sum(
        value
        for name, labels, value in samples(text)
        if name == "lab_http_requests_total" and labels.get("route") != "metrics"
    )


def upstream_calls(text: str) -> float:
    """Requests the slow upstream has finished, whatever their outcome."""
    return sum(value for name, _, value in samples(text) if name == "upstream_requests_total")


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class ProcStat:
    rss_kb: int
    cpu_s: float  # user + system CPU time so far


def proc_stat(pid: int, proc: str = "/proc") -> ProcStat | None:
    """The process's resident memory and CPU time; None when it is gone."""
    try:
        with open(f"{proc}/{pid}/stat") as f:
            stat = f.read()
        with open(f"{proc}/{pid}/status") as f:
            status = f.read()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces: split after it.
    fields = stat[stat.rindex(")") + 2 :].split()
    cpu_s = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime
    rss_kb = next(
        (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0
    )
    return ProcStat(rss_kb=rss_kb, cpu_s=cpu_s)


def pids(by_pid: Mapping[str, int]) -> list[int]:
    return [int(pid) for pid in by_pid if pid.isdigit()]


def histogram_buckets(text: str, name: str) -> dict[float, float]:
    """A histogram's cumulative buckets by upper bound, summed over every other label."""
    out: dict[float, float] = {}
    for sample, labels, value in samples(text):
        if sample == name:
            le = float(labels["le"])
            out[le] = out.get(le, 0.0) + value
    return out


def lag_buckets(text: str) -> dict[float, float]:
    return histogram_buckets(text, "lab_event_loop_lag_seconds_bucket")


def p99_bound_ms(before: Mapping[float, float], after: Mapping[float, float]) -> float | None:
    """The smallest bucket bound under which 99 % of the observations between two scrapes
    fall (ms); None if there were none, or the 99th is past the last finite bound."""
    delta = {le: after[le] - before.get(le, 0.0) for le in after}
    total = delta.get(float("inf"), 0.0)
    if total <= 0:
        return None
    le = min(le for le, n in delta.items() if n >= 0.99 * total)
    return le * 1000 if le != float("inf") else None


def lag_p99_bound_ms(before: Mapping[float, float], after: Mapping[float, float]) -> float | None:
    """The event loop's lag p99 over a phase; None if the loop was not probed (WSGI) or the
    probe did not run."""
    return p99_bound_ms(before, after)


@dataclass
class ServerWatch:
    """Scrapes one server's /metrics during a phase (and the upstream's at its ends), and
    reads /proc for the worker processes the scrapes name.

    `idle()` is read before the warm-up, so memory and threads per request in flight are
    what the load added to a server that has served nothing yet."""

    url: str
    upstream_url: str | None = None
    local: bool = True  # its processes are this machine's: /proc may be read for them
    threads_max: int = 0
    threads_at_max: dict[str, int] = field(default_factory=dict)
    in_flight_max: int = 0
    rss_kb_max: int = 0
    idle_threads: int | None = None
    idle_rss_kb: int | None = None
    first: str = ""
    last: str = ""
    cpu_first: dict[int, float] = field(default_factory=dict)
    cpu_last: dict[int, float] = field(default_factory=dict)
    upstream_first: str | None = None
    upstream_last: str | None = None

    async def _text(self, session: aiohttp.ClientSession, url: str) -> str | None:
        try:
            async with session.get(url) as r:
                return await r.text()
        except (TimeoutError, aiohttp.ClientError):
            return None

    async def idle(self, session: aiohttp.ClientSession) -> None:
        text = await self._text(session, self.url)
        if text is None:
            return
        by_pid = threads_by_pid(text)
        stats = [s for s in map(proc_stat, self._pids(by_pid)) if s is not None]
        self.idle_threads = sum(by_pid.values())
        self.idle_rss_kb = sum(s.rss_kb for s in stats) if stats else None

    async def scrape(self, session: aiohttp.ClientSession) -> str | None:
        text = await self._text(session, self.url)
        if text is None:
            return None
        by_pid = threads_by_pid(text)
        if sum(by_pid.values()) >= self.threads_max:
            self.threads_max, self.threads_at_max = sum(by_pid.values()), by_pid
        self.in_flight_max = max(self.in_flight_max, in_flight(text))
        stats = {pid: proc_stat(pid) for pid in self._pids(by_pid)}
        live = {pid: s for pid, s in stats.items() if s is not None}
        self.rss_kb_max = max(self.rss_kb_max, sum(s.rss_kb for s in live.values()))
        cpu = {pid: s.cpu_s for pid, s in live.items()}
        if not self.first:
            self.first, self.cpu_first = text, cpu
        self.last, self.cpu_last = text, cpu
        return text

    def _pids(self, by_pid: Mapping[str, int]) -> list[int]:
        return pids(by_pid) if self.local else []

    async def upstream(self, session: aiohttp.ClientSession) -> None:
        """The upstream's counters, read at the start and at the end of the window."""
        if self.upstream_url is None:
            return
        text = await self._text(session, self.upstream_url)
        if text is not None:
            self.upstream_first = self.upstream_first or text
            self.upstream_last = text

    async def every(self, session: aiohttp.ClientSession, interval_s: float) -> None:
        while True:
            await self.scrape(session)
            await asyncio.sleep(interval_s)

    def requests(self) -> float:
        return answered(self.last) - answered(self.first) if self.first else 0.0

    def cpu_s(self) -> float:
        """CPU time the worker processes spent between the first and the last scrape."""
        return sum(
            self.cpu_last[pid] - self.cpu_first[pid]
            for pid in self.cpu_last.keys() & self.cpu_first.keys()
        )

    def values(self, answered_by_clients: float) -> dict[str, float]:
        """The server-side quantities rules can name (absent: not measured)."""
        out: dict[str, float] = {"threads": self.threads_max, "in_flight": self.in_flight_max}
        if self.rss_kb_max:
            out["rss_mb"] = self.rss_kb_max / 1024
        requests = self.requests()
        if requests > 0 and self.cpu_first:
            out["cpu_ms_per_request"] = self.cpu_s() * 1000 / requests
        if self.in_flight_max > 0:
            if self.idle_threads is not None:
                added = self.threads_max - self.idle_threads
                out["threads_per_in_flight"] = added / self.in_flight_max
            if self.idle_rss_kb is not None and self.rss_kb_max:
                added_kb = self.rss_kb_max - self.idle_rss_kb
                out["rss_kb_per_in_flight"] = added_kb / self.in_flight_max
        if self.upstream_first and self.upstream_last and answered_by_clients > 0:
            calls = upstream_calls(self.upstream_last) - upstream_calls(self.upstream_first)
            out["upstream_calls_per_answer"] = calls / answered_by_clients
        with contextlib.suppress(ValueError):
            lag = lag_p99_bound_ms(lag_buckets(self.first), lag_buckets(self.last))
            if lag is not None:
                out["loop_lag_p99"] = lag
        return out

    def summary(self) -> dict[str, Any]:
        lag_ms = None
        with contextlib.suppress(ValueError):
            lag_ms = lag_p99_bound_ms(lag_buckets(self.first), lag_buckets(self.last))
        return {
            "threads_max": self.threads_max,
            "threads_by_pid": self.threads_at_max,
            "in_flight_max": self.in_flight_max,
            "loop_lag_p99_le_ms": lag_ms,
            "idle_threads": self.idle_threads,
            "idle_rss_kb": self.idle_rss_kb,
            "rss_kb_max": self.rss_kb_max or None,
            "cpu_s": round(self.cpu_s(), 3) if self.cpu_first else None,
            "requests_answered": self.requests(),
        }
