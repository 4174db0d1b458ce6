"""`lab sweep` refuses bad input before starting anything: one line on stderr, exit 2."""

import subprocess
import sys
from pathlib import Path

import pytest

from contracts.paths import REPO


def sweep(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lab", "sweep", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["--servers", "wsgi,tornado"],
            "--servers: unknown server tornado; "
            "choose from wsgi, asgi, sync, gthread, gevent, granian-wsgi, uvicorn, granian-asgi",
        ),
        (["--users", "1,,10"], "--users '1,,10': expected a comma-separated list such as 1,5,10"),
        (["--users=-1,5"], "--users: -1 is out of bounds; expected 1-1000"),
        (["--delay-ms", "0"], "--delay-ms: 0 is out of bounds; expected 1-10000"),
        (["--min-requests=-10"], "--min-requests: -10 is out of bounds; expected 1-100000"),
    ],
    ids=["server", "list", "negative-users", "zero-delay", "negative-requests"],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], line: str, tmp_path: Path) -> None:
    done = sweep(*args, "-o", str(tmp_path / "s.json"))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == f"lab sweep: {line}\n"
    assert not (tmp_path / "s.json").exists()


def test_an_output_that_cannot_be_written_is_refused_before_the_sweep(tmp_path: Path) -> None:
    done = sweep("--quick", "-o", str(tmp_path / "no" / "such" / "dir" / "s.json"))
    assert done.returncode == 2
    assert done.stderr == (
        f"lab sweep: -o {tmp_path}/no/such/dir/s.json: cannot write there "
        f"({tmp_path}/no/such/dir: no such directory)\n"
    )
    done = sweep("--quick", "-o", str(tmp_path))  # a directory
    assert done.returncode == 2
    assert done.stderr.startswith(f"lab sweep: -o {tmp_path}: cannot write there (")


def test_the_output_is_required() -> None:
    done = sweep("--quick")
    assert done.returncode == 2
    assert "the following arguments are required: -o/--output" in done.stderr
