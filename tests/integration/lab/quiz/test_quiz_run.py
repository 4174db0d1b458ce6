"""`lab quiz --run`: a cited exercise the results file lacks is measured for real when its
question is answered, its figures printed as evidence, and nothing is left running."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from exercise_recordings import RECORDED, results_document
from lab_processes import started_from

from contracts.paths import REPO
from exercises.quiz import QUESTIONS

pytestmark = pytest.mark.integration

MEASURED = "blocking-in-async"  # the file lacks it: a short run takes about 25 s


def test_a_missing_exercise_is_run_when_its_question_is_answered(tmp_path: Path) -> None:
    var = tmp_path / "var"
    path = tmp_path / "results.json"
    path.write_text(json.dumps(results_document(n for n in RECORDED if n != MEASURED)))
    last = next(i for i, q in enumerate(QUESTIONS) if q.evidence[0].exercise == MEASURED)
    script = "".join(f"{q.answer}\n" for q in QUESTIONS[: last + 1])
    done = subprocess.run(
        [sys.executable, "-m", "lab", "quiz", "--results", str(path), "--run"],
        input=script,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env={**os.environ, "LAB_VAR_DIR": str(var)},
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr.count("measuring ") == 1
    assert f"measuring {MEASURED} (--short" in done.stderr
    assert f"[{MEASURED}] phase 2/2 async" in done.stderr
    assert re.search(
        rf"\n     {MEASURED} · async-blocking \(Bad\): throughput ≤ 1\.5 × 1÷D: "
        r"\d+(\.\d+)? req/s of bound 7\.50 ✓\n",
        done.stdout,
    ), done.stdout
    assert "disagrees with the key" not in done.stdout
    assert done.stdout.rstrip().endswith(
        f"score so far: {last + 1} of {last + 1} answered ({len(QUESTIONS)} questions)"
    )
    assert started_from(var) == []
    assert list(var.glob("exercise-*")) == []
