from pathlib import Path

import pytest

from contracts.dotenv import environment_with_dotenv, read_dotenv


def test_reads_values_comments_and_quotes(tmp_path: Path) -> None:
    f = tmp_path / ".env"
    f.write_text(
        "# a comment\n\nWSGI_PORT=9001\nexport ASGI_PORT=9002\n"
        "UPSTREAM_URL='http://x:1'\nWEB_WORKERS=3  # three\nBROKEN LINE\n"
    )
    assert read_dotenv(f) == {
        "WSGI_PORT": "9001",
        "ASGI_PORT": "9002",
        "UPSTREAM_URL": "http://x:1",
        "WEB_WORKERS": "3",
    }


def test_missing_file_is_empty(tmp_path: Path) -> None:
    assert read_dotenv(tmp_path / "nope") == {}


def test_real_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / ".env"
    f.write_text("WSGI_PORT=9001\nASGI_PORT=9002\n")
    monkeypatch.setenv("WSGI_PORT", "7001")
    env = environment_with_dotenv(f)
    assert env["WSGI_PORT"] == "7001"
    assert env["ASGI_PORT"] == "9002"
