"""`lab browser`'s refusals: one line, no traceback, exit 2; nothing is started."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def lab_browser(*args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if path is not None:
        env["PATH"] = path
    return subprocess.run(
        [sys.executable, "-m", "lab", "browser", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--servers", "wsgi,tomcat"],
            "lab browser: --servers 'wsgi,tomcat': choose from wsgi,asgi",
        ),
        (["--pages", ""], "lab browser: --pages '': choose from sync,async,async-blocking"),
        (["--samples", "0"], "lab browser: --samples 0: expected 1-1000"),
        (["--samples", "many"], "lab browser: --samples: expected"),
        (["--load-rate", "-1"], "lab browser: --load-rate -1: expected a number in (0, 1000]"),
        (["--delay-ms", "30001"], "lab browser: --delay-ms: must be between 0 and 30000"),
        (["--delay-ms", "30000", "--cpu-ms", "1"], "lab browser: --delay-ms + --cpu-ms: at most"),
    ],
)
def test_bad_input_is_one_line_without_traceback(args: list[str], message: str) -> None:
    r = lab_browser(*args)
    assert r.returncode == 2
    assert r.stderr.strip().startswith(message), r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_without_chromium_it_says_how_to_install_it(tmp_path: Path) -> None:
    # A PATH with Python's directory only: no chromium on it.
    r = lab_browser("--quick", path=str(Path(sys.executable).parent))
    assert r.returncode == 2
    assert r.stderr.strip() == (
        "lab browser: no Chromium on PATH; install Debian's: apt-get install chromium"
    )
    assert r.stdout == ""
