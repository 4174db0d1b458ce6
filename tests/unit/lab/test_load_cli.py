import subprocess
import sys

import pytest


def lab_load(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lab", "load", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rate", "fast"], "lab load: --rate: expected a number such as 0.5 or 200, got 'fast'"),
        (["--rate", "-5"], "lab load: --rate -5: expected a number in (0, 100000]"),
        (
            ["--duration", "soon"],
            "lab load: --duration: expected a duration such as 10s, 500ms or 2m, got 'soon'",
        ),
        (["--stages", "100"], "lab load: stage '100': expected RATE:DURATION, e.g. 100:10s"),
        (["--url", "ftp://x/"], "lab load: --url 'ftp://x/': expected an http:// or https:// URL"),
        (["--max-in-flight", "0"], "lab load: --max-in-flight 0: expected 1-1000000"),
        (["--stages", "1:1s", "--rate", "5"], "lab load: give either --stages or --rate"),
        (
            ["--url", "http://x/", "--target", "both"],
            "lab load: give either --url or --target/--path, not both",
        ),
        (["--target", "both", "--path", "ping"], "lab load: --path 'ping': expected a path"),
    ],
)
def test_bad_input_is_one_line_without_traceback(args: list[str], message: str) -> None:
    r = lab_load(*args)
    assert r.returncode != 0
    assert r.stderr.strip().startswith(message)
    assert len(r.stderr.strip().splitlines()) == 1
