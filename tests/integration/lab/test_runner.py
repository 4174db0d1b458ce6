"""A service started by lab.runner dies with its parent, even when the parent is SIGKILLed."""

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.integration

PARENT = textwrap.dedent(
    """
    import sys, time
    from lab import runner
    from contracts.settings import LabSettings

    port = runner.free_port()
    s = LabSettings(upstream_port=port, lab_var_dir=sys.argv[1])
    proc = runner.start("upstream", s)
    runner.wait_healthy(s.url(port) + "/healthz", proc)
    print(proc.pid, flush=True)
    time.sleep(120)
    """
)


def test_a_service_stops_when_its_parent_is_killed(tmp_path: Path) -> None:
    with subprocess.Popen(
        [sys.executable, "-c", PARENT, str(tmp_path)], stdout=subprocess.PIPE, text=True
    ) as parent:
        _check(parent)


def _check(parent: subprocess.Popen[str]) -> None:
    assert parent.stdout is not None
    child = psutil.Process(int(parent.stdout.readline()))
    try:
        assert child.is_running()
        os.kill(parent.pid, signal.SIGKILL)  # no cleanup code of the parent can run
        parent.wait(10)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and child.is_running() and child.status() != "zombie":
            time.sleep(0.1)
        assert not child.is_running() or child.status() == "zombie", "the service outlived it"
    finally:
        if parent.poll() is None:
            parent.kill()
        if child.is_running():  # the failure case: do not leave it behind either
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
