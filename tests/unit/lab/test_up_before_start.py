"""`lab up`'s answers before it starts anything: skipped services and busy ports."""

import dataclasses
import io
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from contracts.settings import LabSettings
from contracts.topology import BY_NAME, Service
from lab.runner import free_port
from lab.up import busy_ports, clashing_ports, plan, up


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


def test_without_instrumentation_it_says_the_dashboards_stay_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no `prometheus`: nothing starts
    out = io.StringIO()
    off = LabSettings(prometheus_port=free_port(), lab_instrumentation="off")
    assert up(off, ["prometheus"], out=out) == 2
    assert (
        "lab up: LAB_INSTRUMENTATION=off: the servers record no metrics, so the dashboards "
        "stay empty and lab exercise run refuses\n"
    ) in out.getvalue()
    out = io.StringIO()
    up(dataclasses.replace(off, lab_instrumentation="on"), ["prometheus"], out=out)
    assert "LAB_INSTRUMENTATION" not in out.getvalue()


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


PROXIED = LabSettings(lab_proxy="nginx")


def names(services: list[Service]) -> list[str]:
    return [s.name for s in services]


def test_the_proxy_starts_only_when_on_after_both_servers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "nginx").write_text("#!/bin/sh\n")
    (tmp_path / "nginx").chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert "nginx" not in names(plan(LabSettings())[0])
    chosen, notes = plan(PROXIED, ["upstream", "asgi"])
    # Behind the proxy a server listens on its backend port: the proxy and both servers go
    # together, whichever was asked for.
    assert names(chosen) == ["upstream", "wsgi", "asgi", "nginx"]
    assert notes == [
        "LAB_PROXY=nginx: starting nginx, wsgi too (the proxy stands in front of both servers)"
    ]
    assert plan(LabSettings(), ["nginx"]) == ([], ["nginx: skipped, LAB_PROXY=off"])


def test_the_proxy_on_without_nginx_is_one_line_and_starts_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no `nginx` here
    out = io.StringIO()
    assert up(PROXIED, ["upstream", "wsgi"], out=out) == 2
    assert out.getvalue().splitlines()[-1] == (
        "lab up: LAB_PROXY=nginx needs `nginx` on PATH (Debian: apt-get install nginx-light, "
        "or nginx), or set LAB_PROXY=off"
    )


def test_two_services_on_one_port_are_named() -> None:
    s = dataclasses.replace(PROXIED, wsgi_backend_port=PROXIED.asgi_port)
    services = [BY_NAME[n] for n in ("wsgi", "asgi", "nginx")]
    assert clashing_ports(s, services) == (
        "WSGI_BACKEND_PORT and ASGI_PORT are both 8002: give each service a port of its own"
    )
    assert clashing_ports(PROXIED, services) is None


def test_a_busy_port_behind_the_proxy_names_its_backend_setting(listening: list[int]) -> None:
    backend, _ = listening
    s = dataclasses.replace(
        PROXIED, wsgi_backend_port=backend, wsgi_port=free_port(), asgi_port=free_port()
    )
    line = busy_ports(s, [BY_NAME["wsgi"], BY_NAME["nginx"]])
    assert line is not None
    assert line.startswith(f"port {backend} (wsgi) is already in use")
    assert line.endswith("set WSGI_BACKEND_PORT to a free port.")
