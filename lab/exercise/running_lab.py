"""Measure the running lab where it runs as a phase needs, so Grafana shows the run; start
servers of the phase's own otherwise, and say why.

A running server tells on /healthz which settings shape it and which process answered. A phase
may measure it only when every shaping setting (and the extra middleware) is the phase's, and,
if its rules read /proc (memory, CPU time), only when that process is on this machine.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from contracts.processes import process_start
from contracts.settings import LabSettings
from contracts.topology import BY_NAME
from exercises.spec import SERVER_HISTORY, Exercise, Phase

# Quantities read from /proc for the worker processes: only right for a process on this host.
PROC_QUANTITIES = frozenset(
    {
        "rss_mb",
        "cpu_ms_per_request",
        "rss_kb_per_in_flight",
        "blocked_threads_per_in_flight",
        "server_cpu",
    }
)
# Counted for the servers the exercise started only (their SQLite file, or their
# application_name on PostgreSQL): a running lab's connections are not the phase's.
OWN_DATABASE_QUANTITIES = frozenset({"db_connections"})
TIMEOUT_S = 2.0


def get_json(url: str) -> Any:
    """The JSON a URL answers, or None when nothing (or something else) answers there."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as r:
            return json.loads(r.read())
    except (OSError, ValueError):
        return None


@dataclass(frozen=True)
class RunningLab:
    upstream: str | None = None
    servers: Mapping[str, tuple[str, Mapping[str, Any]]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.upstream is not None


NOTHING = RunningLab()


def find(settings: LabSettings) -> RunningLab:
    """The lab's upstream and Django servers answering on the configured ports. Servers are
    only of use with the upstream they call, so without an upstream there is no lab."""
    upstream = BY_NAME["upstream"].url(settings)
    if (get_json(upstream + "/healthz") or {}).get("status") != "ok":
        return NOTHING
    servers = {}
    for name in ("wsgi", "asgi"):
        url = BY_NAME[name].url(settings)
        facts = get_json(url + "/healthz")
        if isinstance(facts, dict) and facts.get("server") == name and "settings" in facts:
            servers[name] = (url, facts)
    return RunningLab(upstream=upstream, servers=servers)


def locust_running(settings: LabSettings) -> bool:
    """Is Locust sending load right now? Its load would be measured with the exercise's."""
    stats = get_json(BY_NAME["locust"].url(settings) + "/stats/requests")
    return isinstance(stats, dict) and stats.get("state") in ("spawning", "running")


def differences(
    facts: Mapping[str, Any], wanted: LabSettings, extra_middleware: Sequence[str]
) -> list[str]:
    """How the running server differs from what the phase needs ("web_workers 2, needs 1")."""
    running = facts.get("settings") or {}
    out = [
        f"{name} {running.get(name)!r}, needs {value!r}"
        for name, value in wanted.server_shaping().items()
        if running.get(name) != value
    ]
    if list(facts.get("extra_middleware") or []) != list(extra_middleware):
        out.append(
            f"extra middleware {facts.get('extra_middleware') or 'none'}, "
            f"needs {list(extra_middleware) or 'none'}"
        )
    return out


def on_this_machine(facts: Mapping[str, Any]) -> bool:
    """The process that answered is one this machine's /proc shows (not a container's pid
    that happens to exist here too)."""
    process = facts.get("process") or {}
    pid, started = process.get("pid"), process.get("started")
    return isinstance(pid, int) and started is not None and process_start(pid) == started


def reads_proc(exercise: Exercise, phase: Phase) -> bool:
    return reads(exercise, phase, PROC_QUANTITIES)


def reads(exercise: Exercise, phase: Phase, quantities: frozenset[str]) -> bool:
    """Does a rule read one of these quantities of this phase (measured, or as a bound)?"""
    return exercise.reads(phase.name, quantities)


@dataclass(frozen=True)
class Placement:
    url: str | None  # the running server to measure; None: start one for the phase
    local: bool  # /proc may be read for its processes
    note: str  # where the phase ran, and why there ("" when no lab runs)


def place(
    exercise: Exercise,
    phase: Phase,
    wanted: LabSettings,
    extra_middleware: Sequence[str],
    lab: RunningLab,
) -> Placement:
    if not lab:
        return Placement(None, True, "")
    found = lab.servers.get(phase.server)
    if found is None:
        return Placement(None, True, f"own {phase.server} server: the running lab has none")
    url, facts = found
    diffs = differences(facts, wanted, extra_middleware)
    if diffs:
        why = "; ".join(diffs)
        return Placement(None, True, f"own {phase.server} server: the running lab's has {why}")
    if reads(exercise, phase, OWN_DATABASE_QUANTITIES):
        return Placement(
            None,
            True,
            f"own {phase.server} server: its rules count connections to the database of "
            "servers the exercise starts",
        )
    if reads(exercise, phase, SERVER_HISTORY):
        return Placement(
            None,
            True,
            f"own {phase.server} server: its rules read what earlier requests leave in a "
            "server (threads, memory, connections), so it needs one that has served nothing",
        )
    local = on_this_machine(facts)
    if reads_proc(exercise, phase) and not local:
        return Placement(
            None,
            True,
            f"own {phase.server} server: its rules read /proc, and the running lab's "
            f"{phase.server} processes are not on this machine (a container)",
        )
    return Placement(url, local, f"on the running lab's {phase.server} server ({url})")
