"""A server that cannot start is a set-up error: exit 2, one line of our own, then the last
lines of the servers' log, and nothing left running."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from lab_processes import started_from

from contracts.paths import REPO

pytestmark = pytest.mark.integration


def test_a_server_that_does_not_start_is_exit_2_with_its_log(tmp_path: Path) -> None:
    var = tmp_path / "var"
    env = {**os.environ, "LAB_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "no_such_settings"}
    done = subprocess.run(
        [sys.executable, "-m", "lab", "exercise", "run", "seed-table", "--short"],
        capture_output=True,
        text=True,
        timeout=90,
        cwd=REPO,
        env=env,
    )

    assert done.returncode == 2, done.stdout + done.stderr
    ours = [line for line in done.stderr.splitlines() if not line.startswith("  | ")]
    assert ours[-1].startswith("lab exercise run seed-table: http://127.0.0.1:"), done.stderr
    assert "Traceback" not in "\n".join(ours)
    # The server's own words from its log: the cause, and which step of starting it failed.
    assert "No module named 'no_such_settings'" in done.stderr
    assert "lab serve wsgi: migrating" in done.stderr
    assert done.stdout == ""
    assert started_from(var) == []
    assert list(var.glob("exercise-*")) == []
