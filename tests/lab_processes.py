"""Finding the processes a lab run started, by the runtime state directory they were given."""

import contextlib
import subprocess
from pathlib import Path

import psutil


def started_from(var: Path) -> list[psutil.Process]:
    """Processes whose runtime state is under `var` (every service the run started)."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get("LAB_VAR_DIR", "").startswith(str(var)):
                found.append(proc)
        except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return found


def kill_all(proc: subprocess.Popen[str], children: list[psutil.Process]) -> None:
    """After a test of a process tree: the process and whatever a failed run orphaned must
    not outlive the test."""
    if proc.poll() is None:
        proc.kill()
        proc.communicate()
    for child in children:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()
