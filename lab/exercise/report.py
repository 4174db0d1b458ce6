"""The text a learner reads: the table of rows, then each rule with its figure and bound."""

from __future__ import annotations

from collections.abc import Sequence

from exercises.spec import Exercise
from lab.exercise import knee
from lab.exercise.engine import PhaseRun
from lab.exercise.verdict import Verdict, row_verdict

HEADER = ("#", "pattern", "threads", "blocking", "measured impact", "verdict")


def threads_cell(run: PhaseRun) -> str:
    by_pid = run.server_side.get("threads_by_pid") or {}
    if not by_pid:
        return "?"
    total = sum(by_pid.values())
    return f"{total} ({'+'.join(str(n) for n in by_pid.values())})"


def table(exercise: Exercise, runs: Sequence[PhaseRun], verdicts: Sequence[Verdict]) -> str:
    rows = [HEADER]
    for i, run in enumerate(runs, 1):
        phase = exercise.phase(run.name)
        impact = ", ".join(v.impact() for v in verdicts if v.phase == run.name)
        verdict = row_verdict(phase, verdicts)
        rows.append((str(i), phase.pattern, threads_cell(run), phase.blocking, impact, verdict))
    widths = [max(len(r[c]) for r in rows) for c in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def text(exercise: Exercise, runs: Sequence[PhaseRun], verdicts: Sequence[Verdict]) -> str:
    out = [f"{exercise.name}: {exercise.question}", "", table(exercise, runs, verdicts), ""]
    for i, run in enumerate(runs, 1):
        errors = run.client.get("errors") or {}
        probe_errors = (run.probe or {}).get("errors") or {}
        lag = run.server_side.get("loop_lag_p99_le_ms")
        notes = [run.load, f"{run.duration_s:g} s"]
        if run.settings.get("proxy", "off") != "off":
            notes.append(f"through {run.settings['proxy']}")
        if lag is not None:
            notes.append(f"loop lag p99 ≤ {lag:g} ms")
        notes.append(f"in flight max {run.server_side.get('in_flight_max', '?')}")
        phase = exercise.phase(run.name)
        if phase.expect_failures and errors and not probe_errors:
            notes.append(f"failed as the fault expects {dict(errors)}")
        elif phase.client_timeout_s is not None and set(errors) == {"timeout"} and not probe_errors:
            notes.append(f"clients gave up as declared {dict(errors)}")
        elif errors or probe_errors:
            notes.append(f"ERRORS {dict(errors)} probe {dict(probe_errors)}")
        out.append(f"row {i} {run.name}: " + "; ".join(notes))
        if run.placement:
            out.append(f"  {run.placement}")
        warnings = run.apparatus.get("warnings") or []
        out += [f"  ⚠ {w}" for w in warnings]
        for v in verdicts:
            if v.phase == run.name:
                out.append(f"  {v.line()}")
                if not v.holds and warnings:
                    out.append("    (the warnings above may explain this surprise)")
    for series in knee.results(exercise, {r.name: r.values for r in runs}):
        out += ["", *series.lines()]
    out += ["", exercise.explanation]
    return "\n".join(out)
