"""`lab advise`: an answer from a results file; bad input in one line, exit 2."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from contracts.paths import REPO

RECORDED = REPO / "tests" / "exercise_results_short.json"


def advise(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lab", "advise", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )


def test_a_recorded_run_answers_with_each_figure_and_its_source() -> None:
    done = advise("--results", str(RECORDED), "--upstream-ms", "200", "--target-rps", "50")
    assert done.returncode == 0, done.stderr
    assert "gunicorn sync workers" in done.stdout
    assert "concurrency (Little's law)" in done.stdout
    assert "median of seed-table sync-io cpu_ms_per_request" in done.stdout
    assert "meets 50 req/s, with headroom: uvicorn, async views" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--upstream-ms", "abc", "--target-rps", "5"],
            "lab advise: --upstream-ms: expected a number",
        ),
        (["--upstream-ms", "200", "--target-rps", "0"], "lab advise: target-rps must be positive"),
        (
            ["--upstream-ms", "200", "--target-rps", "5", "--workers", "1.5"],
            "lab advise: --workers: expected a whole",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    done = advise("--results", str(RECORDED), *args)
    assert done.returncode == 2
    assert done.stderr.startswith(message), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_results_file_without_slow_io_phases_says_what_to_run(tmp_path: Path) -> None:
    doc = json.loads(RECORDED.read_text())
    for ex in doc["exercises"]:
        ex["phases"] = [p for p in ex["phases"] if "/io/" not in p["load"]]
    path = tmp_path / "cpu-only.json"
    path.write_text(json.dumps(doc))
    done = advise("--results", str(path), "--upstream-ms", "200", "--target-rps", "5")
    assert done.returncode == 2
    assert "has no slow-I/O phase" in done.stderr
    assert "lab exercise run little gthread green-threads" in done.stderr


def test_a_missing_results_file_is_one_line(tmp_path: Path) -> None:
    done = advise(
        "--results", str(tmp_path / "nope.json"), "--upstream-ms", "1", "--target-rps", "1"
    )
    assert done.returncode == 2
    assert done.stderr.startswith("lab advise: ")
    assert "Traceback" not in done.stderr
