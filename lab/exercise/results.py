"""The results of a run as versioned JSON: every measurement, every verdict, the settings of
each phase, its time window, and the machine it ran on.

    {"format": "asynclab-exercise-results", "version": 1, "short": false,
     "started_at": ..., "finished_at": ..., "environment": {...},
     "exercises": [{"name", "question", "outcome", "phases": [...], "verdicts": [...]}]}
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
from lab.exercise.engine import PhaseRun
from lab.exercise.verdict import Verdict, exit_code, row_verdict

FORMAT = "asynclab-exercise-results"
VERSION = 1
PACKAGES = ("django", "gunicorn", "uvicorn", "aiohttp", "httpx")


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
        row["verdict"] = row_verdict(exercise.phase(run.name), verdicts)
        rows.append(row)
    return {
        "name": exercise.name,
        "question": exercise.question,
        "outcome": "as expected" if exit_code(verdicts) == 0 else "surprise",
        "phases": rows,
        "verdicts": [v.as_dict() for v in verdicts],
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
