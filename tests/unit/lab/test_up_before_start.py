"""`lab up`'s answers before it starts anything: skipped services and busy ports."""

import io
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from contracts.settings import LabSettings
from contracts.topology import BY_NAME
from lab.runner import free_port
from lab.up import busy_ports, up


@pytest.fixture
def listening() -> Iterator[list[int]]:
    socks = []
    for _ in range(2):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen()
        socks.append(s)
    yield [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()


def test_a_missing_binary_says_why_nothing_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no `prometheus` here
    out = io.StringIO()
    assert up(LabSettings(prometheus_port=free_port()), ["prometheus"], out=out) == 2
    assert out.getvalue() == (
        "lab up: prometheus: skipped, no `prometheus` on PATH\nlab up: nothing to start\n"
    )


def test_busy_ports_are_one_line_listing_them(listening: list[int]) -> None:
    upstream, wsgi = listening
    settings = LabSettings(upstream_port=upstream, wsgi_port=wsgi, asgi_port=free_port())
    services = [BY_NAME[n] for n in ("upstream", "wsgi", "asgi")]
    assert busy_ports(settings, services) == (
        f"ports {upstream} (upstream), {wsgi} (wsgi) are already in use: is a lab already "
        "running? Stop it, or set UPSTREAM_PORT, WSGI_PORT to free ports."
    )
    out = io.StringIO()
    assert up(settings, ["upstream", "wsgi", "asgi"], out=out) == 2
    assert len(out.getvalue().splitlines()) == 1


def test_free_ports_are_no_problem() -> None:
    settings = LabSettings(upstream_port=free_port())
    assert busy_ports(settings, [BY_NAME["upstream"]]) is None
