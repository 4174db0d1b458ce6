"""Judge each rule of an exercise on what its phases measured.

A rule holds or it does not: a run that disagrees with the expectation is reported as a
surprise, with the measured figure beside its bound, never bent into the expected verdict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from exercises.spec import Exercise, Of, Phase, Rule, unit

SYMBOL = {"<=": "≤", ">=": "≥"}

# What each phase measured: phase name -> quantity -> value.
Measured = Mapping[str, Mapping[str, float]]


@dataclass(frozen=True)
class Verdict:
    phase: str
    rule: str
    measure: str
    op: str
    measured: float | None  # None: not measured (no successful request, say)
    bound: float | None
    unit: str
    holds: bool
    why: str

    def line(self) -> str:
        mark = "✓" if self.holds else "✗"
        if self.measured is None or self.bound is None:
            return f"{self.rule}: not measured {mark} — surprise: nothing to compare"
        figure = figure_of(self.measured, self.unit, self.bound)
        if self.holds:
            return f"{self.rule}: {figure} {mark} — {self.why}"
        return f"{self.rule}: {figure} {mark} — surprise: expected, since {self.why}"

    def impact(self) -> str:
        """Short form for the table: the figure beside its bound."""
        if self.measured is None or self.bound is None:
            return f"{self.measure} not measured"
        return f"{self.measure} {fmt(self.measured)} {SYMBOL[self.op]} {fmt(self.bound)}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def figure_of(measured: float, unit: str, bound: float) -> str:
    """A measurement beside its bound: `9.50 req/s of bound 12`."""
    return f"{fmt(measured)} {unit} of bound {fmt(bound)}"


def fmt(x: float) -> str:
    if abs(x - round(x)) < 1e-9:  # a whole bound, whatever float arithmetic made of it
        return str(round(x))
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def judge_rule(rule: Rule, measured: Measured) -> Verdict:
    value = measured.get(rule.phase, {}).get(rule.measure)
    if isinstance(rule.bound, Of):
        base = measured.get(rule.bound.phase, {}).get(rule.bound.quantity)
    else:
        base = rule.bound
    bound = None if base is None else rule.factor * base
    if value is None or bound is None:
        holds = False
    else:
        holds = value <= bound if rule.op == "<=" else value >= bound
    return Verdict(
        phase=rule.phase,
        rule=rule.text,
        measure=rule.measure,
        op=rule.op,
        measured=value,
        bound=bound,
        unit=unit(rule.measure),
        holds=holds,
        why=rule.why,
    )


def judge(exercise: Exercise, measured: Measured) -> list[Verdict]:
    """Every rule, plus a failing verdict for each phase in which requests failed: the rules
    describe the pattern's requests, and a failed one is not one of them. A phase that
    expects failures (a fault) is voided only by failed bystander requests; one whose clients
    give up after a timeout, by failures other than those timeouts."""
    verdicts = [judge_rule(rule, measured) for rule in exercise.rules]
    for phase in exercise.phases:
        values = measured.get(phase.name, {})
        if phase.expect_failures:
            errors, text = values.get("probe_errors", 0), "no bystander request fails"
            why = "the fault is the main load's: the bystander's requests must still answer"
        else:
            errors, text = values.get("errors", 0), "no request fails"
            why = "the rules are about answered requests, so failures void them"
            if phase.client_timeout_s is not None:
                # Giving up after the declared timeout is what the phase's clients do.
                errors -= values.get("timeouts", 0)
        if errors > 0:
            verdicts.append(
                Verdict(
                    phase=phase.name,
                    rule=text,
                    measure="errors",
                    op="<=",
                    measured=errors,
                    bound=0,
                    unit="failed requests",
                    holds=False,
                    why=why,
                )
            )
    return verdicts


def row_verdict(phase: Phase, verdicts: Sequence[Verdict]) -> str:
    """The phase's expected verdict when all its rules hold, else a surprise."""
    mine = [v for v in verdicts if v.phase == phase.name]
    if all(v.holds for v in mine):
        return phase.expected
    return f"surprise (expected {phase.expected})"


def exit_code(verdicts: Sequence[Verdict]) -> int:
    """0 when every rule held, 1 when one did not."""
    return 0 if all(v.holds for v in verdicts) else 1
