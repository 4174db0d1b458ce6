"""The results of a run as versioned JSON: every measurement, every verdict, the settings of
each phase, its time window, and the machine it ran on.

    {"format": "asynclab-exercise-results", "version": 1, "short": false,
     "started_at": ..., "finished_at": ..., "environment": {...},
     "exercises": [{"name", "question", "outcome", "phases": [...], "verdicts": [...],
                    "knees": [...]}]}
"""

from __future__ import annotations

import datetime
import importlib.metadata
import json
import os
import platform
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from exercises.spec import Exercise
from lab.exercise import knee
from lab.exercise.engine import PhaseRun
from lab.exercise.verdict import Verdict, exit_code, row_verdict

FORMAT = "asynclab-exercise-results"
VERSION = 1
PACKAGES = ("django", "gunicorn", "uvicorn", "aiohttp", "httpx")


class ResultsError(ValueError):
    """A results file that cannot be read: missing, not JSON, or not this format's version."""


def cpu_model(cpuinfo: str) -> str:
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("model name", "Model", "Hardware"):
            return value.strip()
    return platform.processor() or "unknown"


def environment() -> dict[str, Any]:
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
    except OSError:
        cpuinfo = ""
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model(cpuinfo),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "platform": platform.platform(),
        "python": platform.python_version(),
        **versions,
    }


def iso(t: float) -> str:
    return datetime.datetime.fromtimestamp(t, datetime.UTC).isoformat(timespec="milliseconds")


def exercise_result(
    exercise: Exercise, phases: Sequence[PhaseRun], verdicts: Sequence[Verdict]
) -> dict[str, Any]:
    rows = []
    for run in phases:
        row = asdict(run)
        row["window"] = {"start": iso(run.started_at), "end": iso(run.ended_at)}
        del row["started_at"], row["ended_at"]
        phase = exercise.phase(run.name)
        row["pattern"], row["blocking"] = phase.pattern, phase.blocking
        row["verdict"] = row_verdict(phase, verdicts)
        rows.append(row)
    return {
        "name": exercise.name,
        "question": exercise.question,
        "explanation": exercise.explanation,
        "outcome": "as expected" if exit_code(verdicts) == 0 else "surprise",
        "phases": rows,
        "verdicts": [v.as_dict() for v in verdicts],
        "knees": [k.as_dict() for k in knee.results(exercise, {r.name: r.values for r in phases})],
    }


def document(
    exercises: Sequence[dict[str, Any]],
    *,
    short: bool,
    started_at: float,
    finished_at: float,
    env: dict[str, Any],
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "short": short,
        "started_at": iso(started_at),
        "finished_at": iso(finished_at),
        "environment": env,
        "exercises": list(exercises),
    }


def write(path: Path, doc: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


def read(path: Path) -> dict[str, Any]:
    """A results file written by `write`, its format and version checked; `ResultsError`
    says in one line what is wrong with it."""
    doc = load_json(path)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ResultsError(f"{path}: not an exercise results file (format {FORMAT!r})")
    if doc.get("version") != VERSION:
        raise ResultsError(
            f"{path}: results format version {doc.get('version')!r}; this lab reads {VERSION}"
        )
    exercises = doc.get("exercises")
    if not isinstance(exercises, list) or not all(map(_well_formed, exercises)):
        raise ResultsError(f"{path}: its exercises are not results of this format")
    return doc


def load_json(path: Path) -> Any:
    """A JSON file's document; `ResultsError` in one line when there is none (missing,
    empty, cut short, not JSON). The lab's other results files (the sweep's) read the same."""
    try:
        text = path.read_text(encoding="utf-8")
        doc = json.loads(text)
    except FileNotFoundError:
        raise ResultsError(f"{path}: no such file") from None
    except json.JSONDecodeError as e:
        if not text.strip():
            raise ResultsError(f"{path}: empty") from None
        # Cut short (a run killed while writing, a partial copy): the text ends mid-document.
        rest = text[e.pos :].rstrip()
        if not rest or (e.msg.startswith("Unterminated string") and "\n" not in rest):
            raise ResultsError(
                f"{path}: truncated: the JSON ends before the document does"
            ) from None
        raise ResultsError(f"{path}: not JSON (line {e.lineno}, column {e.colno})") from None
    except UnicodeDecodeError:
        raise ResultsError(f"{path}: not JSON") from None
    except OSError as e:
        raise ResultsError(f"{path}: {e.strerror}") from None
    return doc


def _well_formed(exercise: object) -> bool:
    """The fields a reader looks up: named phases with their values, and verdicts."""
    if not isinstance(exercise, dict) or not isinstance(exercise.get("name"), str):
        return False
    phases, verdicts = exercise.get("phases"), exercise.get("verdicts")
    return (
        isinstance(phases, list)
        and all(
            isinstance(p, dict)
            and isinstance(p.get("name"), str)
            and isinstance(p.get("values"), dict)
            for p in phases
        )
        and isinstance(verdicts, list)
        and all(
            isinstance(v, dict)
            and {"phase", "rule", "measure", "measured", "bound", "holds"} <= set(v)
            for v in verdicts
        )
    )
