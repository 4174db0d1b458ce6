"""Are the exercises' verdicts stable? Run the catalogue N times and print, per exercise, its
run time, its outcome in each run, each row's verdicts and the spread of every rule's figure.

Each run is one `lab exercise run ... --json` on servers of its own (`--own-servers`), one
after the other, so the runs differ only by what the machine does meanwhile. A verdict that
flips between runs is a rule whose margin the machine's noise can cross: widen it, or state
the figure without asserting it.

    .venv/bin/python -m benchmarks.exercise_stability [--runs 5] [--short] [--keep DIR] [NAME ...]
    .venv/bin/python -m benchmarks.exercise_stability --from DIR

Without names it runs the whole catalogue (about 15 minutes a run on 2 cores). `--keep DIR`
writes each run's results files to DIR/run-N/ as they come, so an hour of runs stopped early
still counts; `--from DIR` prints the summary of what such a directory holds. Exit 1 when an
exercise's outcome or a row's verdict differed between runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contracts.paths import REPO
from lab.exercise.catalogue import catalogue


@dataclass
class Figures:
    """One exercise over the runs."""

    seconds: list[float] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    rows: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    # rule (phase: text) -> measured values, and how often it held
    measured: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    held: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unit: dict[str, str] = field(default_factory=dict)

    def add(self, exercise: dict[str, Any], seconds: float) -> None:
        self.seconds.append(seconds)
        self.outcomes.append(exercise["outcome"])
        for phase in exercise["phases"]:
            self.rows[phase["name"]].append(phase["verdict"])
        for v in exercise["verdicts"]:
            key = f"{v['phase']}: {v['rule']}"
            self.unit[key] = v["unit"]
            self.held[key] += bool(v["holds"])
            if v["measured"] is not None:
                self.measured[key].append(float(v["measured"]))

    @property
    def stable(self) -> bool:
        return len(set(self.outcomes)) <= 1 and all(len(set(v)) <= 1 for v in self.rows.values())


def spread(values: Sequence[float]) -> str:
    """min / median / max, and max ÷ min where both are positive."""
    if not values:
        return "not measured"
    lo, mid, hi = min(values), statistics.median(values), max(values)
    ratio = f" (×{hi / lo:.2f})" if lo > 0 else ""
    return f"{lo:.4g} / {mid:.4g} / {hi:.4g}{ratio}"


def summary(name: str, f: Figures) -> list[str]:
    runs = len(f.outcomes)
    as_expected = f.outcomes.count("as expected")
    mark = "stable" if f.stable else "UNSTABLE"
    out = [
        f"{name}: {as_expected}/{runs} as expected, {mark}; "
        f"run time median {statistics.median(f.seconds):.0f} s (max {max(f.seconds):.0f} s)"
    ]
    for phase, verdicts in f.rows.items():
        out.append(f"  row {phase}: {', '.join(verdicts)}")
    for rule, values in f.measured.items():
        out.append(f"  {rule}: {spread(values)} {f.unit[rule]}; held {f.held[rule]}/{runs}")
    return out


def run_once(names: Sequence[str], short: bool, out: Path) -> dict[str, float]:
    """One run of each named exercise, one call each (so each is timed); its seconds."""
    seconds = {}
    for name in names:
        path = out / f"{name}.json"
        args = [sys.executable, "-m", "lab", "exercise", "run", name, "--own-servers"]
        args += ["--json", str(path)] + (["--short"] if short else [])
        started = time.monotonic()
        done = subprocess.run(args, cwd=REPO, capture_output=True, text=True)
        seconds[name] = time.monotonic() - started
        if done.returncode not in (0, 1):
            raise SystemExit(f"{name}: exit {done.returncode}\n{done.stderr.strip()}")
    return seconds


SECONDS = "seconds.json"  # a kept run's run time of each exercise


def kept_runs(keep: Path) -> dict[str, Figures]:
    """The figures of every finished run kept in `keep` (its run-N/ directories)."""
    figures: dict[str, Figures] = {}
    runs = sorted(keep.glob("run-*/" + SECONDS), key=lambda p: int(p.parent.name[4:]))
    for seconds_file in runs:
        seconds = json.loads(seconds_file.read_text())
        for name, took in seconds.items():
            doc = json.loads((seconds_file.parent / f"{name}.json").read_text())
            figures.setdefault(name, Figures()).add(doc["exercises"][0], took)
    return figures


def report(figures: dict[str, Figures]) -> int:
    for name, f in figures.items():
        print("\n".join(summary(name, f)))
    return 0 if all(f.stable for f in figures.values()) else 1


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("names", nargs="*", metavar="NAME", help="exercises (default: all)")
    p.add_argument("--runs", type=int, default=5, help="runs of each exercise (default 5)")
    p.add_argument("--short", action="store_true", help="the exercises' short mode")
    p.add_argument("--keep", type=Path, metavar="DIR", help="keep each run's results in DIR")
    p.add_argument("--from", dest="source", type=Path, metavar="DIR", help="summarise DIR")
    args = p.parse_args(argv)
    if args.source is not None:
        figures = kept_runs(args.source)
        if not figures:
            p.error(f"{args.source}: no finished run in it (run-N/{SECONDS})")
        return report(figures)
    known = catalogue()
    names = args.names or list(known)
    unknown = [n for n in names if n not in known]
    if unknown or args.runs < 1:
        p.error(f"unknown exercise {', '.join(unknown)}" if unknown else "--runs must be ≥ 1")
    with contextlib.ExitStack() as stack:
        keep = args.keep or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        for i in range(args.runs):
            out = keep / f"run-{i + 1}"
            out.mkdir(parents=True, exist_ok=True)
            seconds = run_once(names, args.short, out)
            # Written last: a run-N/ without it was stopped part-way and is left out.
            (out / SECONDS).write_text(json.dumps(seconds))
            print(f"run {i + 1}/{args.runs} done", file=sys.stderr, flush=True)
        return report(kept_runs(keep))


if __name__ == "__main__":
    sys.exit(main())
