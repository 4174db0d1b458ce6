"""Reading results for a report, and `lab report`'s bad input: one line naming the file and
what is wrong, exit 2, and no page left behind."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from contracts.paths import REPO
from lab.exercise.results import ResultsError
from lab.report import runs

RECORDED = REPO / "tests" / "exercise_results_short.json"


def lab_report(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lab", "report", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )


def test_a_recorded_run_reads_with_its_times_and_exercises() -> None:
    (run,) = runs.load([RECORDED])
    assert run.label == "exercise_results_short.json"
    assert list(run.exercises) == ["seed-table", "little"]
    assert run.started < run.finished
    assert run.environment["cpu_count"] >= 1


def test_two_files_of_one_name_are_labelled_by_their_paths(tmp_path: Path) -> None:
    for d in ("before", "after"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "r.json").write_text(RECORDED.read_text())
    loaded = runs.load([tmp_path / "before" / "r.json", tmp_path / "after" / "r.json"])
    assert [r.label for r in loaded] == [str(tmp_path / d / "r.json") for d in ("before", "after")]


def test_a_run_without_its_times_is_refused_in_one_line(tmp_path: Path) -> None:
    doc = json.loads(RECORDED.read_text())
    doc["finished_at"] = "yesterday"
    path = tmp_path / "r.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ResultsError, match=r"r\.json: finished_at is not a time$"):
        runs.load([path])


def bad(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind}.json"
    text = RECORDED.read_text()
    if kind == "truncated":
        path.write_text(text[: len(text) // 2])
    elif kind == "version":
        path.write_text(text.replace('"version": 1', '"version": 7', 1))
    elif kind == "format":
        path.write_text(json.dumps({"format": "locust-stats", "version": 1}))
    return path


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        ("missing", "no such file"),
        ("truncated", "truncated: the JSON ends before the document does"),
        ("version", "results format version 7; this lab reads 1"),
        ("format", "not an exercise results file (format 'asynclab-exercise-results')"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_no_page(tmp_path: Path, kind: str, says: str) -> None:
    path = bad(tmp_path, kind)
    out = tmp_path / "report.html"
    done = lab_report(RECORDED, path, "-o", out)
    assert done.returncode == 2
    assert done.stderr == f"lab report: {path}: {says}\n"
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ([f"{kind}.json"] if path.exists() else [])


def test_an_output_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    done = lab_report(RECORDED, "-o", blocker / "report.html")
    assert done.returncode == 2
    assert done.stderr == f"lab report: {blocker / 'report.html'}: {blocker} is not a directory\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_more_than_two_files_is_a_usage_error(tmp_path: Path) -> None:
    done = lab_report(RECORDED, RECORDED, RECORDED, "-o", tmp_path / "r.html")
    assert (done.returncode, done.stderr) == (
        2,
        "lab report: give one results file, or two to compare\n",
    )


def test_exercise_run_refuses_an_unwritable_report_before_it_measures(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    report = ["--report", str(blocker / "r.html")]
    done = subprocess.run(
        [sys.executable, "-m", "lab", "exercise", "run", "seed-table", *report],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert done.returncode == 2
    assert done.stderr == (
        f"lab exercise run: --report {blocker / 'r.html'}: {blocker} is not a directory\n"
    )
    assert "[seed-table]" not in done.stdout + done.stderr
