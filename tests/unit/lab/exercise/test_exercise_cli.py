"""`lab exercise` from the command line: the list, and usage errors as one line with exit 2."""

import os
import subprocess
import sys

from contracts.paths import REPO
from lab.exercise.catalogue import catalogue


def lab(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lab", "exercise", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env={**os.environ, **env},
    )


def test_list_names_each_exercise_with_its_question() -> None:
    done = lab("list")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines] == sorted(catalogue())
    assert any(
        line.startswith("seed-table ") and "~0.8 min (--short 0.5)  When does async help" in line
        for line in lines
    )


def test_an_unknown_name_is_one_line_and_exit_2() -> None:
    done = lab("run", "seed-table", "no-such-exercise")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "lab exercise run: unknown exercise no-such-exercise; choose from: "
        f"{', '.join(catalogue())}\n"
    )


def test_run_without_a_name_or_all_is_a_usage_error() -> None:
    done = lab("run")
    assert done.returncode == 2
    assert done.stderr == (
        "lab exercise run: name exercises or give --all, not both "
        f"(choose from: {', '.join(catalogue())})\n"
    )


def test_names_and_all_together_are_a_usage_error() -> None:
    done = lab("run", "--all", "seed-table")
    assert done.returncode == 2
    assert done.stderr.startswith("lab exercise run: name exercises or give --all, not both")


def test_without_instrumentation_a_run_refuses_in_one_line() -> None:
    done = lab("run", "seed-table", LAB_INSTRUMENTATION="off")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "lab exercise run: LAB_INSTRUMENTATION=off: the exercises measure the servers' own "
        "metrics, which it turns off; set it on\n"
    )
