"""What the compose end-to-end tests share: whether a Docker engine is reachable (skip without
one, fail when CI says it must run), a checked command whose failure shows its output, and a
failed run's container logs written past pytest's capture."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence

import pytest


def engine_problem() -> str | None:
    """Why no Docker engine with Compose v2 can be used here, or None."""
    if shutil.which("docker") is None:
        return "no `docker` command on PATH"
    for argv in (["docker", "info"], ["docker", "compose", "version"]):
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        except subprocess.TimeoutExpired:
            return f"`{' '.join(argv)}` timed out"
        if done.returncode != 0:
            return f"`{' '.join(argv)}` failed: {done.stderr.strip()[-300:]}"
    return None


def require_engine(test: str) -> None:
    """Skip `test` without an engine, saying why; with CI set, fail instead."""
    problem = engine_problem()
    if problem is None:
        return
    message = f"no Docker engine reachable ({problem}); {test} needs one"
    if os.environ.get("CI"):
        pytest.fail(message + " and CI is set, so it must run", pytrace=False)
    pytest.skip(message)


def checked(
    argv: Sequence[str],
    shown: str,
    env: Mapping[str, str],
    *,
    timeout: float,
    check: bool,
    cwd: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `argv`; when `check` and it fails, an AssertionError naming it as `shown`, with
    the end of what it printed."""
    done = subprocess.run(
        list(argv), cwd=cwd, env=dict(env), capture_output=True, text=True, timeout=timeout
    )
    if check and done.returncode != 0:
        raise AssertionError(
            f"`{shown}` exited {done.returncode}:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        )
    return done


def print_past_capture(text: str, config: pytest.Config) -> None:
    """Print even from a teardown: output captured there is shown only when the teardown
    itself fails, and a failed run's container logs must be seen."""
    capture = config.pluginmanager.getplugin("capturemanager")
    if capture is None:
        print(text, file=sys.stderr)
        return
    with capture.global_and_fixture_disabled():
        print(text, file=sys.stderr)
