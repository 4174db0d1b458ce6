"""`lab exercise run seed-table --short` from a clean state: it starts its own servers on free
ports, measures the four rows, judges them as expected, writes the JSON and leaves nothing
running."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from lab_processes import started_from

from contracts.paths import REPO

pytestmark = pytest.mark.integration


def test_seed_table_short_runs_and_cleans_up(tmp_path: Path) -> None:
    var = tmp_path / "var"
    out = tmp_path / "results.json"
    env = {**os.environ, "LAB_VAR_DIR": str(var)}
    done = subprocess.run(
        [sys.executable, "-m", "lab", "exercise", "run", "seed-table", "--short", "--json", out],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env=env,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "every rule held" in done.stdout
    assert done.stdout.count("✓") == 7
    assert "[seed-table] phase 4/4 sync-cpu" in done.stderr

    data = json.loads(out.read_text())
    assert (data["format"], data["version"], data["short"]) == (
        "asynclab-exercise-results",
        1,
        True,
    )
    (exercise,) = data["exercises"]
    assert exercise["outcome"] == "as expected"
    assert [p["verdict"] for p in exercise["phases"]] == ["Bad", "Good", "Bad", "OK"]
    assert all(v["holds"] for v in exercise["verdicts"])
    phases = {p["name"]: p for p in exercise["phases"]}
    # Each server ran as its phase declared, and reported its worker processes' threads.
    assert phases["sync-io"]["settings"]["worker_class"] == "sync"
    assert len(phases["sync-io"]["server_side"]["threads_by_pid"]) == 2
    assert phases["sync-io"]["server_side"]["threads_max"] == 2  # one thread per sync worker
    assert len(phases["async-cpu"]["server_side"]["threads_by_pid"]) == 1
    assert phases["sync-cpu"]["settings"] == {
        "workers": 1,
        "threads": 4,
        "implementation": "gunicorn",
        "worker_class": "gthread",
        "worker_timeout_s": 130,  # derived: above the longest request the app allows
        "proxy": "off",
    }
    assert all(p["client"]["errors"] == {} for p in exercise["phases"])

    assert started_from(var) == []
    assert list(var.glob("exercise-*")) == []
