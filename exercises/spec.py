"""The declaration types of an exercise: what to run, what to load it with, what to expect.

An exercise is data: phases (a server with its settings, a load, an optional bystander
probe) and rules (a measurement of a phase against a bound: a number, or a factor times
another measurement). The engine runs the phases and judges the rules; nothing here runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Literal, get_args

from contracts.settings import LabSettings

Server = Literal["wsgi", "asgi"]
# What a rule can measure in a phase. Client side: latencies in ms, throughput in requests/s,
# the tail's amplification p99/p50 in multiples of the p50. Server side (its /metrics and
# /proc): the most OS threads and requests in flight, the workers' resident memory, CPU time
# per answered request, what the load added per request in flight (threads; threads blocked
# in the kernel on I/O or a sleep, not idle on a lock; memory) over the idle server,
# event-loop lag p99 (ASGI), upstream calls per answered request, answered requests per
# upstream answer that its caller waited for, and the most connections the server held
# open at once on its database (SQLite: file handles; PostgreSQL: pg_stat_activity). Who
# spent the CPU, in cores: the server's workers, the upstream, the load generator, the whole
# machine (everyone's).
Quantity = Literal[
    "throughput",
    "p50",
    "p90",
    "p99",
    "p99/p50",
    "probe_p50",
    "probe_p99",
    # The bystander's p99 ÷ the main load's p50: how many of the main requests it waited for
    # (a bound relative to P would move with the CPU work's own speed).
    "probe_p99/p50",
    "threads",
    "in_flight",
    "rss_mb",
    "cpu_ms_per_request",
    "threads_per_in_flight",
    "blocked_threads_per_in_flight",
    "rss_kb_per_in_flight",
    "loop_lag_p99",
    "upstream_calls_per_answer",
    "answers_per_upstream_answer",
    "db_connections",
    "server_cpu",
    "upstream_cpu",
    "generator_cpu",
    "machine_cpu",
    # A page loaded in headless Chromium beside the load (`Phase.browser`), ms from navigation.
    "ttfb_p50",
    "ttfb_p95",
    "lcp_p50",
    "lcp_p95",
]
UNITS: Mapping[str, str] = {
    "throughput": "req/s",
    "p99/p50": "× p50",
    "probe_p99/p50": "× p50",
    "threads": "threads",
    "in_flight": "requests",
    "rss_mb": "MB",
    "cpu_ms_per_request": "CPU ms",
    "threads_per_in_flight": "threads",
    "blocked_threads_per_in_flight": "threads",
    "rss_kb_per_in_flight": "KB",
    "upstream_calls_per_answer": "calls",
    "answers_per_upstream_answer": "answers",
    "db_connections": "connections",
    "server_cpu": "cores",
    "upstream_cpu": "cores",
    "generator_cpu": "cores",
    "machine_cpu": "cores",
}
# What a server's earlier requests leave behind in it (threads started, memory taken,
# connections kept): a phase whose rules read one needs a server that has served nothing.
SERVER_HISTORY = frozenset(
    {
        "threads",
        "rss_mb",
        "threads_per_in_flight",
        "blocked_threads_per_in_flight",
        "rss_kb_per_in_flight",
        "db_connections",
    }
)
Op = Literal["<=", ">="]
SETTING_NAMES = frozenset(f.name for f in fields(LabSettings))


def unit(quantity: Quantity) -> str:
    return UNITS.get(quantity, "ms")


@dataclass(frozen=True)
class Load:
    """The main load of a phase on one path: `users` closed-loop users (each sends its next
    request as soon as the previous one answers), an open-model arrival `rate` (req/s), or
    `idle` slow clients: connections held open for the phase that send nothing, or with
    `trickle` the request for `path` a byte at a time, never finished. Slow clients get no
    answer: their cost is what a bystander probe waits beside them."""

    path: str
    users: int | None = None
    rate: float | None = None
    idle: int | None = None
    trickle: bool = False

    def __post_init__(self) -> None:
        given = [x for x in (self.users, self.rate, self.idle) if x is not None]
        if len(given) != 1:
            raise ValueError(f"load on {self.path}: give users, rate or idle, exactly one")
        if self.users is not None and self.users < 1:
            raise ValueError(f"load on {self.path}: users must be at least 1")
        if self.rate is not None and self.rate <= 0:
            raise ValueError(f"load on {self.path}: rate must be positive")
        if self.idle is not None and self.idle < 1:
            raise ValueError(f"load on {self.path}: idle must be at least 1")
        if self.trickle and self.idle is None:
            raise ValueError(f"load on {self.path}: trickle is for idle connections")
        if not self.path.startswith("/"):
            raise ValueError(f"load path {self.path!r} must start with /")

    def describe(self) -> str:
        if self.users is not None:
            users = "user" if self.users == 1 else "users"
            return f"{self.users} closed-loop {users} on {self.path}"
        if self.idle is not None:
            connections = "connection" if self.idle == 1 else "connections"
            if self.trickle:
                return f"{self.idle} {connections} trickling GET {self.path}, never finished"
            return f"{self.idle} idle {connections}, sending nothing"
        return f"{self.rate:g} req/s (open model) on {self.path}"


@dataclass(frozen=True)
class Probe:
    """A bystander beside the main load: a cheap path at a low fixed arrival rate, timed from
    its intended start, so its latency is what a neighbour of the main load waits."""

    path: str = "/ping"
    rate: float = 4.0


@dataclass(frozen=True)
class Browser:
    """A person beside the main load: a page loaded in headless Chromium (`lab browser`'s
    sampler), one load after another, each in a fresh context, for the whole phase. Its
    figures are the `ttfb_*` and `lcp_*` quantities."""

    path: str
    pause_s: float = 0.2  # between two loads, so the browser is not a load of its own


@dataclass(frozen=True)
class Phase:
    name: str
    pattern: str  # the row's name in the table, e.g. "sync view, gunicorn sync workers"
    blocking: str  # what waits while a request is served
    server: Server
    load: Load
    settings: Mapping[str, object] = field(default_factory=dict)  # LabSettings changes
    upstream: Mapping[str, object] = field(default_factory=dict)  # PUT /config, undone after
    probe: Probe | None = None
    browser: Browser | None = None
    expected: str = ""  # the row's verdict when its rules hold, e.g. "Bad", "Good", "OK"
    # 8 s holds a steady state long enough for every rule's wide margin (the 5-run spreads
    # are in docs/performance.md) and keeps the whole catalogue near 15 minutes. The short
    # mode (CI's) checks the same wide rules on 3 s: 15 rounds of a 200 ms wait.
    duration_s: float = 8.0
    short_duration_s: float = 3.0
    # The same load before the window, discarded: connections opened, code paths warm (half a
    # second does it: CI's short runs have used it all along). 0: none (the window then starts
    # on the idle server, which is what some phases measure from).
    warmup_s: float = 0.5
    # The main load's requests are expected to fail (a fault): they no longer void the row,
    # the bystander's still do.
    expect_failures: bool = False
    # The main load's clients give up on a request after this many seconds and send the next
    # (None: the engine's own, far above any request). Their timeouts are expected failures.
    client_timeout_s: float | None = None
    # How often the server's /metrics is read during the window. What it samples (in flight,
    # threads, memory) is a maximum over the reads: a phase whose requests are in flight for
    # well under a millisecond needs more reads to catch one, at a few ms of CPU each.
    scrape_every_s: float = 1.0

    def __post_init__(self) -> None:
        unknown = sorted(set(self.settings) - SETTING_NAMES)
        if unknown:
            raise ValueError(f"phase {self.name}: unknown settings {', '.join(unknown)}")
        if not 0 < self.short_duration_s <= self.duration_s:
            raise ValueError(f"phase {self.name}: need 0 < short_duration_s <= duration_s")
        if self.warmup_s < 0:
            raise ValueError(f"phase {self.name}: warmup_s must not be negative")
        if self.client_timeout_s is not None and not self.client_timeout_s > 0:
            raise ValueError(f"phase {self.name}: client_timeout_s must be positive")
        if not self.scrape_every_s > 0:
            raise ValueError(f"phase {self.name}: scrape_every_s must be positive")

    def describe_load(self) -> str:
        text = self.load.describe()
        if self.client_timeout_s is not None:
            text += f", each giving up after {self.client_timeout_s:g} s"
        return text


@dataclass(frozen=True)
class Of:
    """Another measurement, as a bound: `Of("async-cpu", "probe_p99")`."""

    phase: str
    quantity: Quantity


@dataclass(frozen=True)
class Rule:
    """`measure` of `phase` compared (`op`) with `factor` × `bound`, e.g. throughput <= 1.2 ×
    W÷D. `text` states it as the learner reads it; `why` is the one-sentence reason."""

    phase: str
    text: str
    measure: Quantity
    op: Op
    bound: float | Of
    why: str
    factor: float = 1.0


@dataclass(frozen=True)
class Knee:
    """A series of phases at rising concurrency and the bound each should reach (Little's
    law: C÷D, or min(C, W)÷D behind W sync workers). The report prints each phase's
    `measure` ÷ its bound and names the knee: the first phase whose ratio falls below
    `below`. Reported, not judged: where it falls depends on the machine."""

    name: str
    bounds: Mapping[str, float]  # phase name -> its bound, in rising concurrency
    measure: Quantity = "throughput"
    below: float = 0.8


# What starting a phase's server (about 1.5 s), stopping it and reading it idle add, measured
# on 2 cores: a run of the whole catalogue in short mode spent 3-4 s per server started.
SERVER_START_S = 3.5


@dataclass(frozen=True)
class Exercise:
    name: str
    question: str
    phases: tuple[Phase, ...]
    rules: tuple[Rule, ...]
    explanation: str
    knees: tuple[Knee, ...] = ()

    def __post_init__(self) -> None:
        names = [p.name for p in self.phases]
        if len(set(names)) != len(names):
            raise ValueError(f"exercise {self.name}: phase names repeat")
        for knee in self.knees:
            where = f"exercise {self.name}: knee {knee.name}"
            unknown = sorted(set(knee.bounds) - set(names))
            if unknown or not knee.bounds:
                raise ValueError(f"{where}: no phase {', '.join(unknown) or 'named'}")
            if knee.measure not in get_args(Quantity):
                raise ValueError(f"{where}: unknown {knee.measure}")
            if knee.below <= 0 or min(knee.bounds.values()) <= 0:
                raise ValueError(f"{where}: the bounds and `below` must be positive")
        for rule in self.rules:
            refs = [rule.phase] + ([rule.bound.phase] if isinstance(rule.bound, Of) else [])
            for ref in refs:
                if ref not in names:
                    raise ValueError(f"exercise {self.name}: rule {rule.text!r}: no phase {ref}")
            measured = [(rule.phase, rule.measure)]
            if isinstance(rule.bound, Of):
                measured.append((rule.bound.phase, rule.bound.quantity))
            for phase, q in measured:
                if q not in get_args(Quantity):
                    raise ValueError(f"exercise {self.name}: rule {rule.text!r}: unknown {q}")
                if q.startswith("probe_") and self.phase(phase).probe is None:
                    raise ValueError(f"exercise {self.name}: {phase} has no probe to measure")
                if q.startswith(("ttfb_", "lcp_")) and self.phase(phase).browser is None:
                    raise ValueError(f"exercise {self.name}: {phase} has no browser to measure")

    def run_seconds(self, short: bool = False) -> float:
        """About how long a run takes: servers starting, each phase's warm-up and load."""
        starts = sum(1 for i in range(len(self.phases)) if self.starts_server(i))
        return starts * SERVER_START_S + sum(
            p.warmup_s + (p.short_duration_s if short else p.duration_s) for p in self.phases
        )

    def starts_server(self, index: int) -> bool:
        """Does the phase at `index` need a server started for it? Not when the phase before
        ran the same server with the same settings and this one reads nothing that earlier
        requests leave in a server (the engine then keeps that server)."""
        phase = self.phases[index]
        if index == 0 or self.reads(phase.name, SERVER_HISTORY):
            return True
        before = self.phases[index - 1]
        return (before.server, dict(before.settings)) != (phase.server, dict(phase.settings))

    def reads(self, phase: str, quantities: frozenset[str]) -> bool:
        """Does a rule read one of these quantities of this phase (measured, or as a bound)?"""
        measured = [(r.phase, r.measure) for r in self.rules]
        measured += [
            (r.bound.phase, r.bound.quantity) for r in self.rules if isinstance(r.bound, Of)
        ]
        return any(name == phase and q in quantities for name, q in measured)

    def phase(self, name: str) -> Phase:
        return next(p for p in self.phases if p.name == name)

    def rules_of(self, phase: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.phase == phase)


# The quiz (`exercises/quiz.py`): questions whose answers the exercises measure.

LETTERS = "abcd"


@dataclass(frozen=True)
class Evidence:
    """What proves an answer: `quantity` of `phase` in the exercise named `exercise`, and the
    text of the rule that judges it there, when one does (as the exercise writes it)."""

    exercise: str
    phase: str
    quantity: Quantity
    rule: str | None = None


@dataclass(frozen=True)
class Question:
    """A multiple-choice question: 3 or 4 `choices`, the right one's letter (`answer="b"`
    for the second), the measurements that prove it, and why, in one paragraph."""

    text: str
    choices: tuple[str, ...]
    answer: str
    evidence: tuple[Evidence, ...]
    explanation: str

    def __post_init__(self) -> None:
        if not 3 <= len(self.choices) <= len(LETTERS):
            raise ValueError(f"question {self.text!r}: give 3 or 4 choices")
        if len(set(self.choices)) != len(self.choices):
            raise ValueError(f"question {self.text!r}: choices repeat")
        if self.answer not in self.letters:
            raise ValueError(f"question {self.text!r}: answer must be one of {self.letters}")
        if not self.evidence:
            raise ValueError(f"question {self.text!r}: cite the evidence that proves it")
        for e in self.evidence:
            if e.quantity not in get_args(Quantity):
                raise ValueError(f"question {self.text!r}: unknown quantity {e.quantity}")

    @property
    def letters(self) -> str:
        return LETTERS[: len(self.choices)]

    def choice(self, letter: str) -> str:
        return self.choices[self.letters.index(letter)]
