"""The runs a report shows: results files read and checked by `lab.exercise.results`, plus
what the page itself needs (the run's times), each with a label for the page."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lab.exercise.results import ResultsError, read

Exercise = Mapping[str, Any]  # one exercise's results, as `results.exercise_result` wrote it


@dataclass(frozen=True)
class Run:
    label: str  # how the page names the run: its file's name, or "this run"
    doc: Mapping[str, Any]
    started: datetime.datetime
    finished: datetime.datetime

    @property
    def exercises(self) -> dict[str, Exercise]:
        return {ex["name"]: ex for ex in self.doc["exercises"]}

    @property
    def environment(self) -> Mapping[str, Any]:
        env = self.doc.get("environment")
        return env if isinstance(env, Mapping) else {}


def from_doc(doc: Mapping[str, Any], label: str, source: str) -> Run:
    """A run from a document already read (or just measured); `source` names it in errors."""
    times = []
    for key in ("started_at", "finished_at"):
        try:
            times.append(datetime.datetime.fromisoformat(doc[key]))
        except (KeyError, TypeError, ValueError):
            raise ResultsError(f"{source}: {key} is not a time") from None
    return Run(label, doc, times[0], times[1])


def load(paths: Sequence[Path]) -> list[Run]:
    """Each file read and checked; `ResultsError` names the first bad one in one line."""
    names = [p.name for p in paths]
    # Two files of the same name (before/results.json, after/results.json): their paths.
    labels = names if len(set(names)) == len(names) else [str(p) for p in paths]
    return [from_doc(read(p), label, str(p)) for p, label in zip(paths, labels, strict=True)]
