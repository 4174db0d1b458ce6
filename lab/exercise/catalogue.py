"""Find the exercises: every module of the `exercises` package that defines `EXERCISE`."""

from __future__ import annotations

import importlib
import pkgutil

from exercises.spec import Exercise

# The modules of `exercises` that declare no exercise: the types, and the quiz on them.
NOT_EXERCISES = frozenset({"spec", "quiz"})


def catalogue() -> dict[str, Exercise]:
    """Every exercise by name, in the order of their files."""
    import exercises

    found: dict[str, Exercise] = {}
    for module in sorted(pkgutil.iter_modules(exercises.__path__), key=lambda m: m.name):
        if module.name in NOT_EXERCISES:
            continue
        exercise = getattr(importlib.import_module(f"exercises.{module.name}"), "EXERCISE", None)
        if isinstance(exercise, Exercise):
            if exercise.name in found:
                raise ValueError(f"two exercises are named {exercise.name}")
            found[exercise.name] = exercise
    return found
