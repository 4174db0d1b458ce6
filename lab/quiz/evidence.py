"""The measurements behind each answer: from a results file (`lab exercise run --json`), from
running the cited exercises, or, with neither, the commands that would measure them."""

from __future__ import annotations

import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from exercises.spec import Evidence, Quantity, Question, unit
from lab.exercise.verdict import figure_of, fmt

Result = dict[str, Any]  # one exercise's entry in a results file's "exercises"


@dataclass
class Measurements:
    """What the quiz can cite: the exercises of a results file and, when `run` is given, any
    other cited exercise, run when a question first needs it."""

    exercises: dict[str, Result] = field(default_factory=dict)
    path: str | None = None  # the results file they came from
    short: bool = True  # how the file's exercises ran: the command that adds one runs alike
    run: Callable[[str], Result] | None = None

    @classmethod
    def of(
        cls, doc: Mapping[str, Any], path: str, run: Callable[[str], Result] | None = None
    ) -> Measurements:
        """A results document as `lab.exercise.results.read` returns it."""
        named = {e["name"]: e for e in doc["exercises"]}
        return cls(named, path, bool(doc.get("short")), run)

    @property
    def none(self) -> bool:
        """Nothing to cite and nothing to run: answers name the commands instead."""
        return self.path is None and self.run is None

    def get(self, name: str) -> Result | None:
        if name not in self.exercises and self.run is not None:
            self.exercises[name] = self.run(name)
        return self.exercises.get(name)


def cited(question: Question) -> list[str]:
    """The exercises a question cites, each once, in the order it cites them."""
    return list(dict.fromkeys(e.exercise for e in question.evidence))


def lines(question: Question, measured: Measurements) -> list[str]:
    """The evidence of one answer: a line per cited measurement, its figure beside its bound,
    then a line for each exercise whose run disagrees with the key."""
    if measured.none:
        return unmeasured(question)
    out, surprises = [], []
    for name in cited(question):
        result = measured.get(name)
        if result is None:
            out.append(f"{name}: not in {measured.path}; add it: {add_command(name, measured)}")
            continue
        phases = {p["name"]: p for p in result["phases"]}
        for e in question.evidence:
            if e.exercise == name:
                text, bears_out = line(e, phases.get(e.phase), result["verdicts"])
                out.append(text)
                if not bears_out and name not in surprises:
                    surprises.append(name)
    out += [
        f"{name}: this run disagrees with the key (a surprise); "
        f"`uv run lab exercise run {name}` reports every rule"
        for name in surprises
    ]
    return out


def line(
    evidence: Evidence, phase: Mapping[str, Any] | None, verdicts: Sequence[Mapping[str, Any]]
) -> tuple[str, bool]:
    """`exercise · phase (row verdict): rule: figure of bound B ✓`, and whether it bears the
    answer out (the row and the cited rule as expected)."""
    where = f"{evidence.exercise} · {evidence.phase}"
    if phase is None:
        return f"{where}: not in these results (recorded before the phase existed?)", False
    row = str(phase.get("verdict", "?"))
    where += f" ({row})"
    bears_out = not row.startswith("surprise")
    verdict = next(
        (
            v
            for v in verdicts
            if v["phase"] == evidence.phase
            and v["measure"] == evidence.quantity
            and evidence.rule in (None, v["rule"])
        ),
        None,
    )
    if verdict is None:  # a figure no rule judges: shown for comparison
        value = phase["values"].get(evidence.quantity)
        return f"{where}: {quantity(evidence.quantity, value)}", bears_out
    mark = "✓" if verdict["holds"] else "✗"
    measured, bound = verdict["measured"], verdict["bound"]
    if measured is None or bound is None:
        figure = "not measured"
    else:
        figure = figure_of(measured, verdict.get("unit", unit(evidence.quantity)), bound)
    return f"{where}: {verdict['rule']}: {figure} {mark}", bears_out and verdict["holds"]


def quantity(name: Quantity, value: float | None) -> str:
    """`p50 207 ms`, `8 threads`: a quantity's name only where its unit does not say it."""
    if value is None:
        return f"{name} not measured"
    figure = f"{fmt(value)} {unit(name)}"
    return figure if unit(name) == name else f"{name} {figure}"


def unmeasured(question: Question) -> list[str]:
    """What would prove the answer, and the commands that measure it."""
    names = " ".join(cited(question))
    return [
        *(f"{e.exercise} · {e.phase}: {e.rule or e.quantity}" for e in question.evidence),
        "not measured here: add --run, or --results FILE from "
        f"`uv run lab exercise run {names} --short --json FILE`",
    ]


def add_command(name: str, measured: Measurements) -> str:
    """The run that writes the results file again with `name` beside what it holds."""
    names = " ".join([*measured.exercises, name])
    short = " --short" if measured.short else ""
    return f"uv run lab exercise run {names}{short} --json {shlex.quote(str(measured.path))}"
