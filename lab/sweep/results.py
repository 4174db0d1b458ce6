"""The sweep's results file: one JSON document, written whole or not at all.

    {"format": "asynclab-sweep-results", "version": 1, "quick": true,
     "started_at": "2026-...Z", "finished_at": "...",
     "environment": {"cpu_count", "cpu_model", "load_average", "platform", "python",
                     "django", ..., "cpu_steal_during_run",
                     "placement": {"pinned", "apart", ...}},  # LAB_PIN, docs/load.md
     "settings": {"servers": ["wsgi", "asgi"], "users": [1, 4, ...], "delays_ms": [50, 200],
                  "min_requests": 40, "answers_per_user": 3, "min_point_s": 1.0,
                  "point_cap_s": 6.0,
                  "bound": "min(users, limit) ÷ delay", "knee": {"below": 0.8,
                  "p99_over_delay": 2.0, "confirm": 1}},
     "servers": {"wsgi": {"implementation", "worker_class", "workers", "threads", "proxy",
                          "path": "/io/sync", "limit": 2, "placement": "..."}, "asgi": ...},
     "curves": [{"server": "wsgi", "delay_ms": 50,
                 "points": [{"users": 1, "status": "measured", "throughput_rps",
                             "throughput_method", "bound_rps", "ratio", "following",
                             "p50_ms", "p99_ms",
                             "requests", "errors", "error_kinds", "duration_s", "capped",
                             "cpu": {"server_cpu", "generator_cpu", "machine_cpu",
                                     "upstream_cpu"},
                             "generator_saturated", "apparatus": {...}, "past_knee": []},
                            {"users": 64, "status": "skipped", "why": "past the knee ..."}],
                 "knee": null | {"users", "last_following_users", "confirmed", "reasons",
                                 "cause", "explanation", "limit", "served_concurrency"}}]}

A server's `limit` is the most requests it holds at a time (`contracts.servers.shape`:
workers × threads, or greenlets; null for the event loop); `bound_rps` = min(users,
limit) ÷ delay; `ratio` = throughput ÷ bound; `following` = ratio ÷ the curve's first
point's ratio (taken as 1 at most), which the knee's 0.8 applies to. The knee's `cause` is
"worker/thread limit", "CPU", "load generator" or "other".
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from lab.exercise.results import ResultsError, iso, load_json
from lab.sweep import curve
from lab.sweep.grid import Grid

FORMAT = "asynclab-sweep-results"
VERSION = 1
BOUND = "min(users, limit) ÷ delay"


def document(
    grid: Grid,
    measured: dict[str, Any],
    *,
    quick: bool,
    started_at: float,
    finished_at: float,
    env: dict[str, Any],
) -> dict[str, Any]:
    criteria = curve.CRITERIA
    return {
        "format": FORMAT,
        "version": VERSION,
        "quick": quick,
        "started_at": iso(started_at),
        "finished_at": iso(finished_at),
        "environment": env,
        "settings": {
            **grid.as_dict(),
            "bound": BOUND,
            "knee": {
                "below": criteria.below,
                "p99_over_delay": criteria.p99_over,
                "confirm": criteria.confirm,
            },
        },
        "servers": measured["servers"],
        "curves": measured["curves"],
    }


def check_writable(path: Path) -> None:
    """Raise OSError now, before minutes of measuring, if `path` cannot be written."""
    if path.is_dir():
        raise IsADirectoryError(f"{path}: is a directory")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise FileNotFoundError(f"{parent}: no such directory")
    with tempfile.NamedTemporaryFile(dir=parent, prefix=f".{path.name}.", delete=True):
        pass
    if path.exists() and not os.access(path, os.W_OK):
        raise PermissionError(f"{path}: not writable")


def write(path: Path, doc: dict[str, Any]) -> None:
    """Write the whole document beside `path`, then rename it there: never half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", prefix=".sweep-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def read(path: Path) -> dict[str, Any]:
    """A sweep results file, its format and version checked; `ResultsError` in one line."""
    doc = load_json(path)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ResultsError(f"{path}: not a sweep results file (format {FORMAT!r})")
    if doc.get("version") != VERSION:
        raise ResultsError(
            f"{path}: sweep format version {doc.get('version')!r}; this lab reads {VERSION}"
        )
    curves = doc.get("curves")
    if not isinstance(curves, list) or not all(_well_formed(c) for c in curves):
        raise ResultsError(f"{path}: its curves are not results of this format")
    return doc


def _well_formed(curve: object) -> bool:
    """What a reader looks up: the server, the delay, and points with users and a status."""
    if not isinstance(curve, dict) or not isinstance(curve.get("server"), str):
        return False
    points = curve.get("points")
    return (
        isinstance(curve.get("delay_ms"), int | float)
        and isinstance(points, list)
        and all(isinstance(p, dict) and isinstance(p.get("users"), int) for p in points)
    )
