"""`lab exercise list` and `lab exercise run NAME... [--json PATH] [--report PATH] [--short]`.

run starts everything an exercise needs on free ports (nothing need be running), measures
each phase, prints a table and every rule with its figure beside its bound, and stops what
it started; --report also writes the results as one HTML page (`lab report`). While it
runs, it serves lab_exercise_phase (the phase being measured) on EXERCISE_METRICS_PORT for
Prometheus. Exit status: 0 every rule held, 1 one did not (a surprise), 2 usage or set-up
error, or a report that cannot be written.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from contracts.settings import LabSettings
from lab import machine_cpu, signals

# Imported lazily: the exercises are not part of the server images, which run `lab` too.
if TYPE_CHECKING:
    from exercises.spec import Exercise
    from lab.exercise.bench import Bench
    from lab.exercise.engine import PhaseRun
    from lab.exercise.progress import Progress
    from lab.exercise.verdict import Verdict


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "exercise",
        help="scripted exercises: run a question against real servers and judge the answer",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    esub = p.add_subparsers(dest="exercise_command", required=True)
    esub.add_parser("list", help="the exercises, with their question and duration")
    run = esub.add_parser("run", help="run exercises and judge their rules")
    run.add_argument("names", nargs="*", metavar="NAME", help="exercise names (see list)")
    run.add_argument("--all", action="store_true", help="every exercise, in list order")
    run.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    run.add_argument(
        "--report", metavar="PATH", help="also write the results as an HTML page (lab report)"
    )
    run.add_argument(
        "--short", action="store_true", help="a few seconds per phase (CI); same rules"
    )
    run.add_argument(
        "--own-servers",
        action="store_true",
        help="never measure a running lab: start every server the exercise needs on free "
        "ports (by default a running lab's servers are used where they run as a phase needs)",
    )


def main(args: argparse.Namespace, settings: LabSettings, env: Mapping[str, str]) -> int:
    from lab.exercise.catalogue import catalogue

    exercises = catalogue()
    if args.exercise_command == "list":
        width = max(map(len, exercises), default=0)
        for ex in exercises.values():
            run, short = ex.run_seconds() / 60, ex.run_seconds(short=True) / 60
            print(f"{ex.name:<{width}}  ~{run:.1f} min (--short {short:.1f})  {ex.question}")
        return 0
    if args.all == bool(args.names):
        print(
            "lab exercise run: name exercises or give --all, not both "
            f"(choose from: {', '.join(exercises)})",
            file=sys.stderr,
        )
        return 2
    if args.all:
        args.names = list(exercises)
    unknown = [n for n in args.names if n not in exercises]
    if unknown:
        print(
            f"lab exercise run: unknown exercise {', '.join(unknown)}; "
            f"choose from: {', '.join(exercises)}",
            file=sys.stderr,
        )
        return 2
    if not settings.instrumented:
        from lab.exercise.engine import UNINSTRUMENTED

        print(f"lab exercise run: {UNINSTRUMENTED}", file=sys.stderr)
        return 2
    if args.report:
        from lab.report import output

        try:  # before minutes of measuring, not after
            output.check(Path(args.report))
        except output.OutputError as e:
            print(f"lab exercise run: --report {e}", file=sys.stderr)
            return 2
    from lab.exercise import phase_gauge

    chosen = [exercises[n] for n in args.names]
    # For the dashboard's phase annotation, while the run lasts (lab_exercise_phase).
    with phase_gauge.served(settings):
        return _run(
            chosen,
            settings,
            env,
            args.short,
            args.json,
            args.report,
            reuse=not args.own_servers,
        )


def _run(
    chosen: Sequence[Exercise],
    settings: LabSettings,
    env: Mapping[str, str],
    short: bool,
    json_path: str | None,
    report_path: str | None,
    *,
    reuse: bool,
) -> int:
    from lab import pin
    from lab.exercise import apparatus, engine, report, results
    from lab.exercise.progress import Progress
    from lab.exercise.verdict import exit_code

    progress = Progress()
    started = time.time()
    environment = results.environment()
    # Where the parts ran: the generator is this process, pinned here before it starts any.
    environment["placement"] = pin.placement(settings)
    pinned = pin.pin_generator(settings)
    if pinned:
        print(f"lab exercise run: {pinned}")
    cpu_at_start = machine_cpu.cpu_ticks()
    docs = []
    code = 0
    where = "lab exercise run"
    try:
        # One bench for the whole run: the upstream, and a server kept between phases that
        # need the same one, are started once.
        with signals.stop_raises(), engine.bench(settings, env, reuse=reuse) as bench:
            for ex in chosen:
                where = f"lab exercise run {ex.name}"
                runs, verdicts = measure(ex, bench, short, progress)
                print(report.text(ex, runs, verdicts))
                print()
                code = max(code, exit_code(verdicts))
                docs.append(results.exercise_result(ex, runs, verdicts))
    except engine.SetupError as e:
        print(f"{where}: {e}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, signals.Stop):
        print(f"{where}: interrupted; servers stopped", file=sys.stderr)
        signals.quiet_leftovers()
        return 130
    steal = apparatus.steal_fraction(cpu_at_start, machine_cpu.cpu_ticks())
    environment["cpu_steal_during_run"] = None if steal is None else round(steal, 4)
    outcome = "every rule held" if code == 0 else "SURPRISE: a rule did not hold"
    stolen = "" if steal is None else f", CPU stolen {steal:.1%}"
    machine = f"CPUs {environment['cpu_count']}, load {environment['load_average']}{stolen}"
    print(f"{outcome} ({machine}; {pinned or environment['placement']['note']})")
    doc = results.document(
        docs, short=short, started_at=started, finished_at=time.time(), env=environment
    )
    if json_path:
        results.write(Path(json_path), doc)
    if report_path:
        from lab.report import cli as report_cli
        from lab.report.runs import from_doc

        this_run = from_doc(doc, "this run", "the run's results")
        if report_cli.write([this_run], settings, Path(report_path)) != 0:
            return 2
    return code


def measure(
    exercise: Exercise, bench: Bench, short: bool, progress: Progress
) -> tuple[list[PhaseRun], list[Verdict]]:
    """Run one exercise on the bench (a running lab's servers where they fit) and judge its
    rules, its progress on one line.
    Raises `engine.SetupError`, and `KeyboardInterrupt` or `signals.Stop` once the servers
    are stopped: the caller says which, and exits."""
    from lab.exercise import engine
    from lab.exercise.verdict import judge

    names = [p.name for p in exercise.phases]

    def tick(phase: str, left: float) -> None:
        progress.update(exercise.name, names.index(phase) + 1, len(names), phase, left)

    try:
        with signals.stop_raises():
            runs = engine.run(exercise, bench.settings, short=short, tick=tick, on=bench)
    finally:
        progress.done()
    return runs, judge(exercise, {r.name: r.values for r in runs})
