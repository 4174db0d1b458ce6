"""Memory and OS threads per waiting request, at more points and for longer than the
threads-vs-coroutines exercise: 100, 250 and 500 requests waiting at once on one worker, in
each configuration the exercise compares (gthread threads; uvicorn with Django's sync
request_started receivers; uvicorn without them), over several runs.

The phases are the exercise's own (`exercises.threads_vs_coroutines.phases`), only their
window lengthened, and its rules are judged at every point, so this measures exactly what
the exercise does. Every phase gets a server that has served nothing (its rules read threads
and memory); one upstream serves the whole benchmark, and the runs follow one another, each
through every point, so the machine's mood spreads over all of them.

    uv run python -m benchmarks.memory_per_wait [--waits 100,250,500] [--seconds 20] [--runs 3]

About 16 minutes with the defaults on 2 cores (it prints its estimate first). Prints a table
(configuration × waits: RSS KB and OS threads per waiting request, min / median / max over
the runs, and the KB each wait added between two points), then each rule of the exercise
with its spread and how often it held. Exit 1 when a rule did not hold in some run, 2 on bad
input or a set-up error, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from benchmarks.exercise_stability import Figures, spread, summary
from contracts.dotenv import environment_with_dotenv
from contracts.paths import REPO
from contracts.settings import LabSettings, SettingsError
from contracts.values import parse_integer
from exercises import threads_vs_coroutines as tvc
from exercises.spec import Exercise, Of, Phase
from lab.sweep.grid import GridError, bounded, list_option

WAITS = (100, 250, 500)
SECONDS = 20.0  # the exercise's windows are 15 s: each of its 2-6 s waits ends 3-10 times
RUNS = 3
MAX_SECONDS = 600.0
# Beyond gthread's threads a wait would queue for one, not hold one: it measures nothing.
MAX_WAITS = tvc.THREADS
QUANTITIES = ("in_flight", "rss_kb_per_in_flight", "threads_per_in_flight")


def waits(raw: str) -> tuple[int, ...]:
    """--waits: whole numbers separated by commas, each within gthread's thread cap; rising."""
    values = list_option("--waits", raw, parse_integer)
    over = [v for v in values if v > MAX_WAITS]
    if over:
        raise GridError(
            f"--waits: {over[0]} is more than gthread's {MAX_WAITS} threads (the exercise's "
            "WEB_THREADS, the most it allows): the waits beyond them would queue, not wait"
        )
    return bounded("--waits", values, 1, MAX_WAITS)


@dataclass(frozen=True)
class Point:
    configuration: str  # the exercise's phase name without its count: gthread, asgi, lean
    waits: int
    pattern: str  # what runs there, the count left out


def derive(points: Sequence[int], seconds: float) -> tuple[Exercise, dict[str, Point]]:
    """The exercise at these counts with `seconds` windows, and what each phase measures.
    Its rules: each count's own, and those of the exercise's that compare configurations
    (memory at 500 waits) wherever their phases are among these."""
    phases: list[Phase] = []
    where = {}
    for n in points:
        for phase in tvc.phases(n):
            short = min(phase.short_duration_s, seconds)
            phases.append(replace(phase, duration_s=seconds, short_duration_s=short))
            config = phase.name.removesuffix(f"-{n}")
            where[phase.name] = Point(config, n, phase.pattern.removeprefix(f"{n} "))
    per_count = {r for n in tvc.COUNTS for r in tvc.rules(n)}
    names = {p.name for p in phases}
    across = [
        r
        for r in tvc.EXERCISE.rules
        if r not in per_count
        and r.phase in names
        and (not isinstance(r.bound, Of) or r.bound.phase in names)
    ]
    rules = (*(r for n in points for r in tvc.rules(n)), *across)
    return replace(tvc.EXERCISE, phases=tuple(phases), rules=rules), where


@dataclass
class Table:
    """Each point's quantities over the runs, in the order the points were first seen."""

    where: Mapping[str, Point]
    values: dict[Point, dict[str, list[float]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    runs: int = 0

    def add(self, measured: Mapping[str, Mapping[str, float]]) -> None:
        """One run: each phase's values, by phase name."""
        self.runs += 1
        for name, values in measured.items():
            point = self.where[name]
            for q in QUANTITIES:
                if q in values:
                    self.values[point][q].append(values[q])
            if "rss_kb_per_in_flight" in values and "in_flight" in values:
                added_kb = values["rss_kb_per_in_flight"] * values["in_flight"]
                self.values[point]["added_kb"].append(added_kb)

    def lines(self) -> list[str]:
        out = [
            "| configuration | waits | in flight (median) | RSS KB per waiting request "
            "(min / median / max) | RSS KB per wait added since the row above (medians) "
            "| OS threads per waiting request (min / median / max) |",
            "|---|---|---|---|---|---|",
        ]
        before: Point | None = None
        for p in sorted(self.values, key=self._order):
            v = self.values[p]
            flight = f"{statistics.median(v['in_flight']):g}" if v["in_flight"] else "—"
            rss = self._cell(v["rss_kb_per_in_flight"])
            step = None
            if before is not None and before.configuration == p.configuration:
                step = marginal_kb(self.values[before], v)
            added = "—" if step is None else f"{step:.0f}"
            threads = self._cell(v["threads_per_in_flight"])
            row = [p.configuration, str(p.waits), flight, rss, added, threads]
            out.append(f"| {' | '.join(row)} |")
            before = p
        return out

    def legend(self) -> list[str]:
        seen = {p.configuration: p.pattern for p in self.where.values()}
        return [f"{config}: {pattern}" for config, pattern in seen.items()]

    def _order(self, p: Point) -> tuple[int, int]:
        configs = list(dict.fromkeys(q.configuration for q in self.where.values()))
        return configs.index(p.configuration), p.waits

    def _cell(self, values: Sequence[float]) -> str:
        missing = "" if len(values) == self.runs else f" ({len(values)} of {self.runs} runs)"
        return spread(values) + missing


def marginal_kb(
    before: Mapping[str, Sequence[float]], after: Mapping[str, Sequence[float]]
) -> float | None:
    """What each wait between two points added to the worker's RSS (KB): the medians of the
    memory the load added, over the medians of the requests in flight. Unlike the figure per
    waiting request it leaves out what the first requests add once, whatever their number
    (imports, caches, the allocator's first arenas), which weighs most at few waits."""
    if not all(d.get(k) for d in (before, after) for k in ("added_kb", "in_flight")):
        return None
    more = statistics.median(after["in_flight"]) - statistics.median(before["in_flight"])
    if more <= 0:
        return None
    grown = statistics.median(after["added_kb"]) - statistics.median(before["added_kb"])
    return grown / more


def estimate_s(exercise: Exercise, runs: int) -> float:
    """The exercise's own estimate, plus the longest wait once a phase: its warm-up and its
    window each end by waiting for the requests still in flight (about that, measured)."""
    drain_s = (tvc.D_MS + tvc.J_MS) / 1000
    return (exercise.run_seconds() + len(exercise.phases) * drain_s) * runs


def warnings(phase_warnings: Sequence[str]) -> list[str]:
    """The apparatus' warnings of the phases, each kind once with how many phases had it."""
    kinds: dict[str, int] = defaultdict(int)
    for w in phase_warnings:
        kinds[w.split(":")[0]] += 1
    return [f"⚠ {kind}: {n} phase{'s' if n > 1 else ''}" for kind, n in kinds.items()]


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--waits", default=",".join(map(str, WAITS)), help="requests waiting at once")
    p.add_argument("--seconds", type=float, default=SECONDS, help="each phase's window (s)")
    p.add_argument("--runs", type=int, default=RUNS, help="runs through every point")
    args = p.parse_args(argv)
    try:
        points = waits(args.waits)
    except GridError as e:
        p.error(str(e))
    if not 1 <= args.seconds <= MAX_SECONDS:
        p.error(f"--seconds {args.seconds:g}: expected 1-{MAX_SECONDS:g}")
    if args.runs < 1:
        p.error("--runs must be ≥ 1")
    env = environment_with_dotenv(REPO / ".env")
    try:
        settings = LabSettings.from_env(env)
    except SettingsError as e:
        p.error(str(e))
    exercise, where = derive(points, args.seconds)
    print(
        f"{len(exercise.phases)} phases × {args.runs} runs, about "
        f"{estimate_s(exercise, args.runs) / 60:.0f} min; load average {load_average()}",
        file=sys.stderr,
        flush=True,
    )
    return _run(exercise, where, settings, env, args.runs)


def _run(
    exercise: Exercise,
    where: Mapping[str, Point],
    settings: LabSettings,
    env: Mapping[str, str],
    runs: int,
) -> int:
    from lab import signals
    from lab.exercise import engine, results
    from lab.exercise.cli import measure
    from lab.exercise.progress import Progress

    table, figures, flagged = Table(where), Figures(), []
    started, loads = time.time(), [load_average()]
    try:
        # One upstream for every run; each phase gets a server of its own (its rules read
        # threads and memory), so nothing of a run is left in the next one's servers.
        with signals.stop_raises(), engine.bench(settings, env, reuse=False) as bench:
            for i in range(runs):
                run_started = time.monotonic()
                phases, verdicts = measure(exercise, bench, False, Progress())
                table.add({r.name: r.values for r in phases})
                doc = results.exercise_result(exercise, phases, verdicts)
                figures.add(doc, time.monotonic() - run_started)
                flagged += [w for r in phases for w in r.apparatus.get("warnings", [])]
                loads.append(load_average())
                print(f"run {i + 1}/{runs} done; load average {loads[-1]}", file=sys.stderr)
    except engine.SetupError as e:
        print(f"memory_per_wait: {e}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, signals.Stop):
        print("memory_per_wait: interrupted; servers stopped", file=sys.stderr)
        return 130
    minutes = (time.time() - started) / 60
    print(
        f"{runs} runs in {minutes:.1f} min; load average (1, 5, 15 min) at the start and "
        f"after each run: {' | '.join(loads)}"
    )
    print("\n".join(table.legend()), end="\n\n")
    print("\n".join(table.lines()), end="\n\n")
    print("\n".join(summary(exercise.name, figures)))
    print("\n".join(warnings(flagged)))
    return 0 if all(o == "as expected" for o in figures.outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
