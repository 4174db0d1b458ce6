"""`lab exercise run seed-table --short` from a clean state: it starts its own servers on free
ports, measures the four rows, judges them as expected, writes the JSON and the report and
leaves nothing running. The report of that one run opens in headless Chromium."""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from lab_processes import started_from
from report_browser import check, opened, screenshots

from contracts.paths import REPO

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Ran:
    done: subprocess.CompletedProcess[str]
    var: Path
    results: Path
    report: Path


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> Ran:
    """One run for the module's tests: it takes about a minute."""
    tmp = tmp_path_factory.mktemp("seed-table")
    var, out, report = tmp / "var", tmp / "results.json", tmp / "report.html"
    env = {**os.environ, "LAB_VAR_DIR": str(var)}
    command = ["exercise", "run", "seed-table", "--short", "--json", out, "--report", report]
    done = subprocess.run(
        [sys.executable, "-m", "lab", *map(str, command)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env=env,
    )
    return Ran(done, var, out, report)


def test_seed_table_short_runs_and_cleans_up(ran: Ran) -> None:
    done, var, out = ran.done, ran.var, ran.results

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


def test_its_report_renders_offline_in_chromium(ran: Ran, chromium_binary: str) -> None:
    assert ran.done.returncode == 0, ran.done.stdout + ran.done.stderr
    assert f"lab report: wrote {ran.report}" in ran.done.stdout
    with opened(ran.report, chromium_binary) as seen:
        check(seen, ran.report, json.loads(ran.results.read_text()))
        rows = seen.page.locator('table.rows[data-exercise="seed-table"] tr')
        assert rows.count() == 5  # the head and the four rows
        screenshots(seen.page, "report-seed-table")
