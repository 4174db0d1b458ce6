"""What a phase measured: the client side from the generators' HdrHistograms, the server
side from the server's own `/metrics` (OS threads, requests in flight, event-loop lag,
requests answered) and from `/proc` for the worker processes that `/metrics` names (memory,
CPU time, threads blocked in the kernel; the engine's servers run on this machine), and the
connections they hold on their database (`db_connections`). And who spent the CPU in the
window: the server's workers, the upstream (its `/metrics`), the load generator (this
process) and everyone (`/proc/stat`)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from lab.exercise.db_connections import Counter
from lab.machine_cpu import CLOCK_TICKS, cpu_ticks
from loadgen.closedloop import ClosedResult
from loadgen.idle import IdleResult
from loadgen.openmodel import Result

Sample = tuple[str, dict[str, str], float]


def client_values(
    main: ClosedResult | Result | IdleResult, probe: Result | None
) -> dict[str, float]:
    """The quantities rules can name, from the generators' results (absent: not measured).
    Slow clients get no answers: only the probe beside them is measured."""
    probe_errors = sum(probe.errors.values()) if probe else 0
    values: dict[str, float] = {
        "errors": sum(main.errors.values()) + probe_errors,
        "probe_errors": probe_errors,
        "timeouts": main.errors.get("timeout", 0),  # the main load's clients gave up
    }
    if isinstance(main, IdleResult):
        return values | _probe_values(probe)
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
    values |= _probe_values(probe)
    if latency.get("p50", 0) > 0 and "probe_p99" in values:
        values["probe_p99/p50"] = values["probe_p99"] / latency["p50"]
    return values


def _probe_values(probe: Result | None) -> dict[str, float]:
    if probe is None:
        return {}
    # Every probe request, failed ones included: a timed-out /ping waited longest of all.
    waited = probe.all_latency.summary_ms()
    return {f"probe_{p}": waited[p] for p in ("p50", "p99") if p in waited}


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
        if name == "lab_http_request_duration_seconds_count" and labels.get("route") != "metrics"
    )


def upstream_calls(text: str) -> float:
    """Requests the slow upstream has finished, whatever their outcome."""
    return sum(value for name, _, value in samples(text) if name == "upstream_requests_total")


def upstream_abandoned(text: str) -> float:
    """Of those, the ones whose caller had hung up before the answer."""
    return sum(
        value for name, _, value in samples(text) if name == "upstream_requests_abandoned_total"
    )


def process_cpu(text: str) -> float | None:
    """The CPU seconds a single-process service reports of itself (prometheus_client's
    process collector), or None when it reports none."""
    return next((v for name, _, v in samples(text) if name == "process_cpu_seconds_total"), None)


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


def blocked_threads(pids: Iterable[int], proc: str = "/proc") -> int | None:
    """Threads of these processes asleep in the kernel on something other than a lock: a
    socket, a poll, a sleep (each thread's wchan names where it waits). A thread waiting for
    a lock, a queue or the GIL waits on a futex, which is idle, not blocked; a running one
    shows 0. None when the kernel names no wait at all (it may hide them)."""
    blocked, named = 0, False
    for pid in pids:
        try:
            tids = os.listdir(f"{proc}/{pid}/task")
        except OSError:
            continue
        for tid in tids:
            try:
                with open(f"{proc}/{pid}/task/{tid}/wchan") as f:
                    wchan = f.read().strip()
            except OSError:
                continue
            if wchan not in ("", "0"):
                named = True
                blocked += not wchan.startswith("futex")
    return blocked if named else None


def machine_busy_s(proc: str = "/proc") -> float | None:
    """CPU seconds every core of the machine has spent busy since boot (any process, ours or
    not); None when unreadable."""
    ticks = cpu_ticks(proc=proc)
    return None if ticks is None else ticks.busy_s


@dataclass(frozen=True)
class Clocks:
    """Read at each scrape: the time, this process's CPU and the machine's busy CPU (s)."""

    wall: float
    own_cpu: float
    machine_busy: float | None

    @classmethod
    def now(cls) -> Clocks:
        return cls(time.monotonic(), time.process_time(), machine_busy_s())


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
    what the load added to the idle server (one that has served nothing yet: a phase that
    reads these gets a server of its own, see `bench`). `db`: what counts the server's
    connections on its database at each scrape, between `counting()`'s ends."""

    url: str
    upstream_url: str | None = None
    local: bool = True  # its processes are this machine's: /proc may be read for them
    db: Counter | None = None
    db_connections_max: int | None = None  # None: never counted
    db_active_max: int | None = None
    threads_max: int = 0
    threads_at_max: dict[str, int] = field(default_factory=dict)
    in_flight_max: int = 0
    rss_kb_max: int = 0
    idle_threads: int | None = None
    idle_rss_kb: int | None = None
    idle_blocked: int | None = None
    blocked_max: int | None = None
    first: str = ""
    last: str = ""
    cpu_first: dict[int, float] = field(default_factory=dict)
    cpu_last: dict[int, float] = field(default_factory=dict)
    upstream_first: str | None = None
    upstream_last: str | None = None
    clock_first: Clocks | None = None
    clock_last: Clocks | None = None
    upstream_clock: list[float] = field(default_factory=list)  # its first and last reading

    async def _text(self, session: aiohttp.ClientSession, url: str) -> str | None:
        try:
            async with session.get(url) as r:
                return await r.text()
        except (TimeoutError, aiohttp.ClientError):
            return None

    async def idle(self, session: aiohttp.ClientSession, tries: int = 3) -> None:
        """The idle server's threads, memory and blocked threads, the baseline of what the
        load adds. Nothing waits on it, so a slow first answer (a server just started on a
        busy machine) is tried again rather than leaving the baseline unmeasured."""
        text = None
        for _ in range(tries):
            text = await self._text(session, self.url)
            if text is not None:
                break
        if text is None:
            return
        by_pid = threads_by_pid(text)
        stats = [s for s in map(proc_stat, self._pids(by_pid)) if s is not None]
        self.idle_threads = sum(by_pid.values())
        self.idle_rss_kb = sum(s.rss_kb for s in stats) if stats else None
        self.idle_blocked = blocked_threads(self._pids(by_pid))

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
        blocked = blocked_threads(live)
        if blocked is not None:
            self.blocked_max = max(self.blocked_max or 0, blocked)
        if self.db is not None:
            await self.count_db(live)
        cpu = {pid: s.cpu_s for pid, s in live.items()}
        clock = Clocks.now()
        if not self.first:
            self.first, self.cpu_first, self.clock_first = text, cpu, clock
        self.last, self.cpu_last, self.clock_last = text, cpu, clock
        return text

    async def count_db(self, pids: Iterable[int]) -> None:
        """Count the connections now; keep the most (and the most in a query) seen."""
        count = await self.db.count(pids) if self.db is not None else None
        if count is None:
            return
        self.db_connections_max = max(self.db_connections_max or 0, count.open)
        if count.active is not None:
            self.db_active_max = max(self.db_active_max or 0, count.active)

    @contextlib.asynccontextmanager
    async def counting(self) -> AsyncIterator[None]:
        """The database counter opened (PostgreSQL: its one connection) for the block."""
        if self.db is None:
            yield
            return
        await self.db.open()
        try:
            yield
        finally:
            await self.db.close()

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
            self.upstream_clock = [*self.upstream_clock[:1], time.monotonic()]

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

    def cpu_shares(self) -> dict[str, float]:
        """CPU time per second of the window, in cores: the server's workers, the upstream,
        this process (the load generator, with the probe and the scrapes), and the whole
        machine (everyone's, so a machine busy with others shows)."""
        out: dict[str, float] = {}
        first, last = self.clock_first, self.clock_last
        if first and last and last.wall > first.wall:
            wall = last.wall - first.wall
            if self.cpu_first:
                out["server_cpu"] = self.cpu_s() / wall
            out["generator_cpu"] = (last.own_cpu - first.own_cpu) / wall
            if first.machine_busy is not None and last.machine_busy is not None:
                out["machine_cpu"] = (last.machine_busy - first.machine_busy) / wall
        if self.upstream_first and self.upstream_last and len(self.upstream_clock) == 2:
            wall = self.upstream_clock[1] - self.upstream_clock[0]
            before, after = process_cpu(self.upstream_first), process_cpu(self.upstream_last)
            if wall > 0 and before is not None and after is not None:
                out["upstream_cpu"] = (after - before) / wall
        return out

    def values(self, answered_by_clients: float) -> dict[str, float]:
        """The server-side quantities rules can name (absent: not measured)."""
        out: dict[str, float] = {"threads": self.threads_max, "in_flight": self.in_flight_max}
        if self.db_connections_max is not None:
            out["db_connections"] = self.db_connections_max
        out.update(self.cpu_shares())
        if self.rss_kb_max:
            out["rss_mb"] = self.rss_kb_max / 1024
        requests = self.requests()
        if requests > 0 and self.cpu_first:
            out["cpu_ms_per_request"] = self.cpu_s() * 1000 / requests
        if self.in_flight_max > 0:
            if self.idle_threads is not None:
                added = self.threads_max - self.idle_threads
                out["threads_per_in_flight"] = added / self.in_flight_max
            if self.idle_blocked is not None and self.blocked_max is not None:
                added = self.blocked_max - self.idle_blocked
                out["blocked_threads_per_in_flight"] = added / self.in_flight_max
            if self.idle_rss_kb is not None and self.rss_kb_max:
                added_kb = self.rss_kb_max - self.idle_rss_kb
                out["rss_kb_per_in_flight"] = added_kb / self.in_flight_max
        if self.upstream_first and self.upstream_last:
            calls = upstream_calls(self.upstream_last) - upstream_calls(self.upstream_first)
            if answered_by_clients > 0:
                out["upstream_calls_per_answer"] = calls / answered_by_clients
            # Finite when nothing is answered, unlike its inverse: a server that waits out
            # every call for clients that have gone scores 0, one that hangs up with them 1.
            left = upstream_abandoned(self.upstream_last) - upstream_abandoned(self.upstream_first)
            if calls - left > 0:
                out["answers_per_upstream_answer"] = answered_by_clients / (calls - left)
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
            "idle_blocked_threads": self.idle_blocked,
            "blocked_threads_max": self.blocked_max,
            "idle_rss_kb": self.idle_rss_kb,
            "rss_kb_max": self.rss_kb_max or None,
            "db_connections_max": self.db_connections_max,
            "db_connections_active_max": self.db_active_max,
            "db_connections_source": self.db.source if self.db else None,
            "db_connections_error": self.db.error if self.db else None,
            "cpu_s": round(self.cpu_s(), 3) if self.cpu_first else None,
            "requests_answered": self.requests(),
        }
