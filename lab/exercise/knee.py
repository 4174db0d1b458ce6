"""Where a series of points stops following its bound: each point's figure ÷ its bound, the
first one past the knee named as the knee, and who spent the machine's CPU at each point, so
a knee can be told from a saturated generator.

Two users: an exercise's `Knee` series (exercises/spec.py), where a point is past the knee
when its ratio falls below the threshold, and `lab sweep`, whose curves also count a p99
grown past k × the latency floor (requests queue) and, being noisier, ask the next point to
agree (`Criteria`, `first_past`)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from exercises.spec import Exercise, Knee
from lab.exercise.verdict import Measured, fmt

# Who spent the CPU, as the report names them (cores: CPU seconds per second of the window).
CPU = {"server_cpu": "server", "upstream_cpu": "upstream", "generator_cpu": "load generator"}
# Busier than this (share of a core, or of the machine's cores) counts as saturated.
SATURATED = 0.9


@dataclass(frozen=True)
class Point:
    phase: str
    users: int | None  # the closed loop's concurrency C (None: an open-model load)
    measured: float | None
    bound: float
    cpu: Mapping[str, float] = field(default_factory=dict)  # CPU's keys, and machine_cpu

    @property
    def ratio(self) -> float | None:
        return None if self.measured is None else self.measured / self.bound

    @property
    def label(self) -> str:
        return f"C={self.users}" if self.users is not None else self.phase


@dataclass(frozen=True)
class KneeResult:
    name: str
    measure: str
    below: float
    points: tuple[Point, ...]

    @property
    def knee(self) -> Point | None:
        """The first point whose ratio falls below the threshold; None: no knee in the
        series (a point not measured is no knee, but it is printed as such)."""
        flags = [None if p.ratio is None else p.ratio < self.below for p in self.points]
        index = first_past(flags)
        return None if index is None else self.points[index]

    def lines(self, cpu_count: int | None = None) -> list[str]:
        cores = cpu_count or os.cpu_count() or 1
        out = [
            f"knee {self.name}: {self.measure} ÷ its bound at each concurrency; "
            f"the knee is the first below {fmt(self.below)}"
        ]
        width = max(len(p.label) for p in self.points)
        knee = self.knee
        for p in self.points:
            if p.measured is None or p.ratio is None:
                out.append(f"  {p.label:<{width}}  not measured")
                continue
            line = f"  {p.label:<{width}}  {fmt(p.measured)} of {fmt(p.bound)} = {p.ratio:.2f}"
            out.append(line + (" ← knee" if p is knee else "") + cpu_text(p.cpu, cores))
        if knee is None:
            last = self.points[-1].label
            out.append(f"  no knee up to {last}: every ratio measured is ≥ {fmt(self.below)}")
        else:
            out.append(f"  the knee: {knee.label} ({knee.phase}); {limit(knee.cpu, cores)}")
        return out

    def as_dict(self) -> dict[str, Any]:
        knee = self.knee
        return {
            "name": self.name,
            "measure": self.measure,
            "below": self.below,
            "knee": None if knee is None else knee.phase,
            "knee_users": None if knee is None else knee.users,
            "points": [
                {
                    "phase": p.phase,
                    "users": p.users,
                    "measured": p.measured,
                    "bound": p.bound,
                    "ratio": p.ratio,
                    **p.cpu,
                }
                for p in self.points
            ],
        }


@dataclass(frozen=True)
class Criteria:
    """When a point is past the knee: its ratio under `below` (the figure stopped following
    the bound), or its p99 over `p99_over` × the latency floor (requests queue even where the
    bound still holds: it stopped growing); `confirm`: how many later measured points must be
    past it too, so that one noisy point is no knee."""

    below: float = 0.8
    p99_over: float | None = None
    confirm: int = 0


def reasons(
    ratio: float | None,
    p99_ms: float | None,
    floor_ms: float,
    criteria: Criteria,
    *,
    of: str = "its bound",
) -> list[str] | None:
    """Why a point is past the knee ([] when it follows the bound); None: not measured.
    `of` names what the ratio is taken of, for the reason's text."""
    if ratio is None:
        return None
    out = []
    if ratio < criteria.below:
        out.append(f"throughput {ratio:.2f} of {of} (< {fmt(criteria.below)})")
    queue = criteria.p99_over
    if queue is not None and p99_ms is not None and p99_ms > queue * floor_ms:
        out.append(f"p99 {fmt(p99_ms)} ms > {fmt(queue)} × {fmt(floor_ms)} ms: requests queue")
    return out


def first_past(flags: Sequence[bool | None], confirm: int = 0) -> int | None:
    """The index of the knee: the first point past it (True) whose next `confirm` measured
    points are past it too; points not measured (None) neither count nor break the run. A
    point near the end, with fewer measured points after it, needs all of those to agree."""
    measured = [i for i, flag in enumerate(flags) if flag is not None]
    for n, i in enumerate(measured):
        later = measured[n + 1 : n + 1 + confirm]
        if flags[i] and all(flags[j] for j in later):
            return i
    return None


def confirmed(flags: Sequence[bool | None], confirm: int) -> bool:
    """Is there a knee with its `confirm` later points measured: nothing further can move
    it, so a sweep climbing the curve may stop there."""
    index = first_past(flags, confirm)
    if index is None:
        return False
    return sum(flag is not None for flag in flags[index + 1 :]) >= confirm


def cpu_text(cpu: Mapping[str, float], cores: int) -> str:
    used = [f"{name} {cpu[key]:.2f}" for key, name in CPU.items() if key in cpu]
    text = f"; CPU cores: {', '.join(used)}" if used else ""
    if "machine_cpu" in cpu:
        text += f"; the whole machine {cpu['machine_cpu']:.2f} of {cores}"
    return text


def limit(cpu: Mapping[str, float], cores: int) -> str:
    """What the CPU figures say about the knee: who, if anyone, ran out."""
    if cpu.get("generator_cpu", 0.0) >= SATURATED:
        return "the load generator used a whole core: it may be what ran out, not the server"
    if cpu.get("machine_cpu", 0.0) >= SATURATED * cores:
        lab = sum(cpu.get(key, 0.0) for key in CPU)
        others = max(0.0, cpu["machine_cpu"] - lab)
        return (
            f"the machine's {cores} cores were busy ({others:.2f} of them outside the lab): "
            "the server waited for a CPU"
        )
    if cpu.get("server_cpu", 0.0) >= SATURATED:
        return "the server's worker used a whole core: its CPU is what ran out"
    if not cpu:
        return "the CPU was not measured"
    server = cpu.get("server_cpu")
    used = "" if server is None else f" (the server used {server:.2f} cores)"
    return f"no CPU was saturated{used}: something else held the server back"


def result(exercise: Exercise, knee: Knee, measured: Measured) -> KneeResult:
    points = []
    for phase, bound in knee.bounds.items():
        values = measured.get(phase, {})
        points.append(
            Point(
                phase=phase,
                users=exercise.phase(phase).load.users,
                measured=values.get(knee.measure),
                bound=bound,
                cpu={k: values[k] for k in (*CPU, "machine_cpu") if k in values},
            )
        )
    return KneeResult(knee.name, knee.measure, knee.below, tuple(points))


def results(exercise: Exercise, measured: Measured) -> list[KneeResult]:
    return [result(exercise, knee, measured) for knee in exercise.knees]
