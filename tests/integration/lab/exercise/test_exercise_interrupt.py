"""Ctrl-C (or SIGTERM) in the middle of a phase: the run says so, exits 130 and leaves no
server behind."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from lab_processes import started_from

from contracts.paths import REPO

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupt_stops_every_server(tmp_path: Path, sig: signal.Signals) -> None:
    var = tmp_path / "var"
    with subprocess.Popen(
        [sys.executable, "-m", "lab", "exercise", "run", "seed-table", "--short"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, "LAB_VAR_DIR": str(var)},
    ) as proc:
        assert proc.stderr is not None
        try:
            # The first phase has started: the upstream and its server are up.
            for line in proc.stderr:
                if "phase 1/4" in line:
                    break
            servers = [p for p in started_from(var) if p.pid != proc.pid]
            assert len(servers) >= 2  # the upstream and uvicorn, with its workers
            proc.send_signal(sig)
            _, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()

    assert proc.returncode == 130, err
    assert "interrupted; servers stopped" in err
    assert "Traceback" not in err
    assert started_from(var) == []
    assert list(var.glob("exercise-*")) == []
