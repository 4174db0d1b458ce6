import os
import subprocess
import sys
from pathlib import Path

import pytest


def run_lab(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lab", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_bad_setting_is_one_line_without_traceback() -> None:
    r = run_lab("up", env={**os.environ, "WSGI_PORT": "eighty"})
    assert r.returncode != 0
    assert r.stderr.strip() == "lab: WSGI_PORT: expected a whole number such as 200, got 'eighty'"


def test_unknown_service_is_one_line() -> None:
    r = run_lab("up", "--only", "varnish")
    assert r.returncode != 0
    assert r.stderr.strip().startswith("lab up: unknown service varnish")
    assert "Traceback" not in r.stderr


def test_help_lists_the_commands() -> None:
    r = run_lab("--help")
    assert r.returncode == 0
    assert "up" in r.stdout
    assert "serve" in r.stdout


def test_dotenv_reaches_the_served_process_and_the_real_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lab import cli

    (tmp_path / ".env").write_text(
        "SLOW_DELAY_MS=123\nDJANGO_DEBUG=1\nDATABASE_URL=sqlite:////tmp/x.db\nWEB_WORKERS=3\n"
    )
    monkeypatch.setattr(cli, "REPO", tmp_path)
    monkeypatch.setenv("DJANGO_DEBUG", "0")
    monkeypatch.delenv("SLOW_DELAY_MS", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("WEB_WORKERS", raising=False)
    seen: dict[str, dict[str, str]] = {}

    def fake_exec(path: str, argv: list[str], env: dict[str, str]) -> None:
        seen["env"] = env
        raise SystemExit(0)

    # `lab serve` replaces itself with the server: catch the environment it would get.
    monkeypatch.setattr(os, "execvpe", fake_exec)
    with pytest.raises(SystemExit):
        cli.main(["serve", "upstream"])
    env = seen["env"]
    assert env["SLOW_DELAY_MS"] == "123"
    assert env["DATABASE_URL"] == "sqlite:////tmp/x.db"
    assert env["WEB_WORKERS"] == "3"
    assert env["DJANGO_DEBUG"] == "0"  # the real environment wins over .env


def test_lab_up_hands_the_dotenv_environment_to_its_children(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lab import cli, up

    (tmp_path / ".env").write_text("SLOW_JITTER_MS=7\n")
    monkeypatch.setattr(cli, "REPO", tmp_path)
    monkeypatch.delenv("SLOW_JITTER_MS", raising=False)
    seen: dict[str, object] = {}

    def fake_up(settings: object, only: object, env: dict[str, str]) -> int:
        seen["env"] = env
        return 0

    monkeypatch.setattr(up, "up", fake_up)
    with pytest.raises(SystemExit):
        cli.main(["up", "--only", "upstream"])
    env = seen["env"]
    assert isinstance(env, dict)
    assert env["SLOW_JITTER_MS"] == "7"


def test_output_into_a_closed_pipe_ends_quietly_with_sigpipes_status() -> None:
    # The reader has gone before the first line (as `| head` does after its ten): the
    # write fails with EPIPE, which must not become a traceback.
    proc = subprocess.Popen(
        [sys.executable, "-m", "lab", "quiz", "--answers"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    proc.stdout.close()
    _, stderr = proc.communicate(timeout=60)
    assert stderr.decode() == ""
    assert proc.returncode == 141
