"""The two helper scripts of the images: the stdlib healthcheck and the Grafana secret.
The healthcheck's probes of real sockets are in tests/integration/services/docker."""

from __future__ import annotations

from pathlib import Path

import pytest
from docker_scripts import load

healthcheck = load("healthcheck")
grafana_secret = load("grafana_secret")


@pytest.mark.parametrize("argv", [[], ["ftp://x/"], ["tcp://nohost"], ["http://h:port/"]])
def test_bad_use_is_unhealthy(argv: list[str]) -> None:
    assert healthcheck.main(argv) != 0


def test_password_generated_once_then_kept(tmp_path: Path) -> None:
    path = tmp_path / "pw"
    first, generated = grafana_secret.ensure_password(path, None)
    assert generated
    assert len(first) >= 20
    assert grafana_secret.ensure_password(path, "") == (first, False)
    assert path.read_text().strip() == first
    assert path.stat().st_mode & 0o777 == 0o644


def test_given_password_wins(tmp_path: Path) -> None:
    path = tmp_path / "pw"
    grafana_secret.ensure_password(path, None)
    assert grafana_secret.ensure_password(path, "chosen") == ("chosen", False)
    assert path.read_text().strip() == "chosen"
