"""Where a series of phases stops following its bound (`Knee` in exercises/spec.py): each
phase's figure ÷ its bound, the first one below the threshold named as the knee, and who
spent the machine's CPU at each point, so a knee can be told from a saturated generator."""

from __future__ import annotations

import os
from collections.abc import Mapping
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
        return next((p for p in self.points if p.ratio is not None and p.ratio < self.below), None)

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
