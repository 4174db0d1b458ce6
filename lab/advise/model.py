"""Should we go async? The capacity of each server configuration for a team's own numbers,
from what the lab measured rather than from rules of thumb.

A request that waits D on I/O and computes c (the view's own CPU) holds one of the server's
N concurrent slots for D + c, and costs the worker c + o of CPU, o being what the server
and the HTTP client spend around the view (measured: CPU per request from /proc during the
exercises' slow-I/O phases). Two ceilings follow:

- Little's law: λ ≤ N ÷ (D + c), with N = workers × threads for sync servers (× greenlets
  for gevent); an event loop's N is its upstream pool (UPSTREAM_POOL_SIZE a worker);
- CPU: λ ≤ cores ÷ (c + o), where cores = min(workers, the machine's cores), since each
  worker process computes on one core at a time (one GIL, or one loop).

The capacity is the lower ceiling, the headroom the capacity ÷ the target. Every figure
names the measurement it rests on; a configuration the results have not measured is said
to be unmeasured, never estimated.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# How each configuration is found in the results: its settings' implementation and worker
# class, with what it is called on the page, and whether threads (greenlets) bound its N.
KINDS: Mapping[tuple[str, str], str] = {
    ("gunicorn", "sync"): "gunicorn sync workers",
    ("gunicorn", "gthread"): "gunicorn gthread (threads)",
    ("gunicorn", "gevent"): "gunicorn gevent (green threads)",
    ("uvicorn", "uvicorn"): "uvicorn, async views",
}
# The exercise that measures each on slow I/O, for a configuration the results lack.
MEASURED_BY: Mapping[tuple[str, str], str] = {
    ("gunicorn", "sync"): "little",
    ("gunicorn", "gthread"): "gthread",
    ("gunicorn", "gevent"): "green-threads",
    ("uvicorn", "uvicorn"): "little",
}
# Phases whose load is one slow upstream call: their CPU per request is the server's o.
IO_LOAD = re.compile(r" on /io/(sync|async)(\?|$)")
ASYNC = ("uvicorn", "uvicorn")


@dataclass(frozen=True)
class Question:
    upstream_ms: float  # D: what each request waits on I/O
    cpu_ms: float  # c: the view's own CPU work per request
    target_rps: float  # λ wanted
    workers: int  # worker processes
    threads: int  # threads per gthread worker
    cores: int  # the machine's cores
    greenlets: int = 1000  # greenlets per gevent worker (GEVENT_GREENLETS)
    async_slots: int = 1000  # an async worker's upstream pool (UPSTREAM_POOL_SIZE): its N

    def __post_init__(self) -> None:
        for name in ("upstream_ms", "cpu_ms"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name.replace('_', '-')} must be 0 or more")
        if self.target_rps <= 0:
            raise ValueError("target-rps must be positive")
        for name in ("workers", "threads", "cores", "greenlets", "async_slots"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.upstream_ms + self.cpu_ms <= 0:
            raise ValueError("a request takes some time: give upstream-ms or cpu-ms above 0")


@dataclass(frozen=True)
class Cited:
    """A measured figure and where it comes from: exercise, phase, quantity."""

    value: float
    source: str


@dataclass(frozen=True)
class Overhead:
    """o of one configuration: the median CPU per request over its slow-I/O phases."""

    ms: float
    sources: tuple[str, ...]

    @property
    def cited(self) -> str:
        return f"o = {self.ms:.2g} ms, median of {', '.join(self.sources)}"


@dataclass
class Answer:
    kind: str
    concurrency: int  # N: requests served at once
    little_rps: float
    cpu_rps: float | None
    overhead: Overhead | None
    notes: list[str] = field(default_factory=list)

    @property
    def measured(self) -> bool:
        return self.overhead is not None

    @property
    def capacity_rps(self) -> float | None:
        if self.cpu_rps is None:
            return None
        return min(self.little_rps, self.cpu_rps)

    @property
    def limit(self) -> str:
        if not self.measured:
            return "not measured"
        if self.cpu_rps is None or self.little_rps <= self.cpu_rps:
            return "concurrency (Little's law)"
        return "CPU"


def overheads(exercises: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], Overhead]:
    """o per configuration, from every slow-I/O phase of the results that measured it."""
    found: dict[tuple[str, str], list[tuple[float, str]]] = {}
    for ex in exercises:
        for phase in ex.get("phases", []):
            settings = phase.get("settings") or {}
            kind = (settings.get("implementation"), settings.get("worker_class"))
            value = (phase.get("values") or {}).get("cpu_ms_per_request")
            load = str(phase.get("load", "")).split(",")[0]
            proxied = settings.get("proxy", "off") != "off"
            if kind in KINDS and value is not None and IO_LOAD.search(load) and not proxied:
                where = f"{ex['name']} {phase['name']} cpu_ms_per_request {value:.2g}"
                found.setdefault(kind, []).append((float(value), where))  # type: ignore[arg-type]
    return {
        kind: Overhead(statistics.median(v for v, _ in rows), tuple(w for _, w in rows))
        for kind, rows in found.items()
    }


def answer(question: Question, measured: Mapping[tuple[str, str], Overhead]) -> list[Answer]:
    """Each known configuration's capacity for the question, or why it has none."""
    q = question
    seconds = (q.upstream_ms + q.cpu_ms) / 1000
    out = []
    for kind, name in KINDS.items():
        o = measured.get(kind)
        per_worker = {"sync": 1, "gthread": q.threads, "gevent": q.greenlets}.get(
            kind[1], q.async_slots
        )
        n = q.workers * per_worker
        little = n / seconds
        cpu_s = (q.cpu_ms + o.ms) / 1000 if o else None
        cpu = min(q.workers, q.cores) / cpu_s if cpu_s else None
        a = Answer(name, n, little, cpu, o)
        if o is None:
            a.notes.append(f"not measured: run `lab exercise run {MEASURED_BY[kind]}`")
        elif kind in (ASYNC, ("gunicorn", "gevent")) and q.cpu_ms > 0:
            a.notes.append(
                f"its {q.cpu_ms:g} ms of CPU per request runs on the worker's one loop (hub): "
                "every other request of the worker waits for it (seed-table async-cpu, "
                "cpu-chunks)"
            )
        out.append(a)
    return out


def verdict(question: Question, answers: Sequence[Answer]) -> str:
    """The answer in one sentence: which configurations meet the target, the best first."""
    meeting = sorted(
        (
            a
            for a in answers
            if a.capacity_rps is not None and a.capacity_rps >= question.target_rps
        ),
        key=lambda a: -(a.capacity_rps or 0),
    )
    unmeasured = [a.kind for a in answers if not a.measured]
    tail = f" (not measured: {', '.join(unmeasured)})" if unmeasured else ""
    if not meeting:
        return f"no measured configuration reaches {question.target_rps:g} req/s{tail}"
    names = ", ".join(
        f"{a.kind} ({(a.capacity_rps or 0) / question.target_rps:.1f}×)" for a in meeting
    )
    return f"meets {question.target_rps:g} req/s, with headroom: {names}{tail}"
