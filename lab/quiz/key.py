"""Check the quiz's key against the catalogue: every exercise, phase, quantity and rule a
question cites must exist, or its evidence could never be shown."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from exercises.spec import Exercise, Question


def problems(questions: Sequence[Question], exercises: Mapping[str, Exercise]) -> list[str]:
    """One line for each citation the catalogue cannot back, naming the question."""
    found = []
    for i, question in enumerate(questions, 1):
        for e in question.evidence:
            where = f"question {i}: {e.exercise} · {e.phase}"
            exercise = exercises.get(e.exercise)
            if exercise is None:
                found.append(f"question {i}: no exercise {e.exercise}")
                continue
            if e.phase not in [p.name for p in exercise.phases]:
                found.append(f"{where}: {e.exercise} has no phase {e.phase}")
                continue
            if e.quantity.startswith("probe_") and exercise.phase(e.phase).probe is None:
                found.append(f"{where}: no bystander probe to measure {e.quantity}")
            if e.rule is not None and not any(
                r.text == e.rule and r.measure == e.quantity for r in exercise.rules_of(e.phase)
            ):
                found.append(f"{where}: no rule {e.rule!r} on {e.quantity}")
    return found
