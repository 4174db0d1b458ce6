import subprocess
import sys


def run_lab(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lab", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_bad_setting_is_one_line_without_traceback() -> None:
    import os

    r = run_lab("up", env={**os.environ, "WSGI_PORT": "eighty"})
    assert r.returncode != 0
    assert r.stderr.strip() == "lab: WSGI_PORT='eighty': expected a whole number"


def test_unknown_service_is_one_line() -> None:
    r = run_lab("up", "--only", "nginx")
    assert r.returncode != 0
    assert r.stderr.strip().startswith("lab up: unknown service nginx")
    assert "Traceback" not in r.stderr


def test_help_lists_the_commands() -> None:
    r = run_lab("--help")
    assert r.returncode == 0
    assert "up" in r.stdout
    assert "serve" in r.stdout
