"""nginx in front of both servers (LAB_PROXY=nginx), as `lab serve nginx` runs it: requests
reach each server through it; server-sent events still stream; and two idle connections,
which freeze gunicorn's two sync workers when they reach them directly, never reach a worker
through the proxy. The worker timeout is short (GUNICORN_TIMEOUT_S=4), so a frozen worker
is freed within seconds, never after the 130 s default."""

import contextlib
import dataclasses
import json
import socket
import time
import urllib.request
from collections.abc import Iterator

import pytest

from contracts.settings import LabSettings
from lab.runner import proxy, running, with_free_ports

pytestmark = pytest.mark.integration

TIMEOUT_S = 4  # GUNICORN_TIMEOUT_S
PING_TIMEOUT_S = 1.5  # far above a /ping, far below a worker timeout


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, nginx_binary: str) -> LabSettings:
    base = LabSettings(lab_var_dir=str(tmp_path_factory.mktemp("var")), upstream_timeout_s=2.0)
    return dataclasses.replace(
        with_free_ports(base, "upstream", "wsgi", "asgi"),
        lab_proxy="nginx",
        wsgi_worker_class="sync",
        web_workers=2,
        gunicorn_timeout_s=TIMEOUT_S,
    )


@pytest.fixture(scope="module")
def lab(settings: LabSettings) -> Iterator[dict[str, str]]:
    """Each server's own URL (`wsgi-direct`) and its URL through the proxy (`wsgi`)."""
    with (
        running("upstream", settings),
        running("wsgi", settings) as wsgi,
        running("asgi", settings) as asgi,
        proxy(settings, ["wsgi", "asgi"]) as through,
    ):
        yield {**through, "wsgi-direct": wsgi, "asgi-direct": asgi}


def get(url: str, timeout: float = 10.0) -> tuple[float, bytes, dict[str, str]]:
    started = time.monotonic()
    with urllib.request.urlopen(url, timeout=timeout) as r:
        body = r.read()
        return time.monotonic() - started, body, dict(r.headers)


@pytest.mark.parametrize("server", ["wsgi", "asgi"])
def test_the_proxy_passes_each_server_its_requests(
    lab: dict[str, str], settings: LabSettings, server: str
) -> None:
    port = getattr(settings, f"{server}_port")
    assert lab[server] == f"http://127.0.0.1:{port}"  # the proxy has the server's own port
    assert lab[f"{server}-direct"] != lab[server]
    _, body, _ = get(lab[server] + "/healthz")
    facts = json.loads(body)
    assert facts["server"] == server
    assert facts["settings"]["lab_proxy"] == "nginx"  # the server knows it is behind it
    _, body, headers = get(lab[server] + "/io/sync?delay_ms=50")
    assert json.loads(body)["server"] == server  # through the proxy to the upstream and back
    assert headers["Server"] == "nginx"


@pytest.mark.parametrize("server", ["wsgi", "asgi"])
def test_server_timing_has_a_queue_only_through_the_proxy(lab: dict[str, str], server: str) -> None:
    # nginx stamps X-Request-Start: the server can tell how long the request waited for it.
    def timing(url: str) -> str:
        _, _, headers = get(url + "/ping")
        return {k.lower(): v for k, v in headers.items()}["server-timing"]

    assert "queue;dur=" in timing(lab[server])
    assert "queue;dur=" not in timing(lab[f"{server}-direct"])


def test_server_sent_events_stream_through_the_proxy(lab: dict[str, str]) -> None:
    # The stream view asks the proxy not to buffer (X-Accel-Buffering: no): the first event
    # arrives long before the last one is sent.
    started = time.monotonic()
    url = lab["asgi"] + "/stream/async?events=4&interval_ms=500"
    with urllib.request.urlopen(url, timeout=10) as r:
        first = r.readline()
        first_s = time.monotonic() - started
        r.read()
    total_s = time.monotonic() - started
    assert first.startswith(b"id: 0")
    assert first_s < total_s - 1.0, (first_s, total_s)


@contextlib.contextmanager
def idle_connections(url: str, n: int = 2) -> Iterator[None]:
    host, port = url.removeprefix("http://").split(":")
    socks = [socket.create_connection((host, int(port))) for _ in range(n)]
    try:
        time.sleep(0.3)  # accepted by whoever accepts them
        yield
    finally:
        for s in socks:
            s.close()


def ping_s(url: str) -> float | None:
    try:
        return get(url + "/ping", timeout=PING_TIMEOUT_S)[0]
    except TimeoutError:
        return None


def test_idle_connections_freeze_sync_workers_directly_but_not_through_the_proxy(
    lab: dict[str, str],
) -> None:
    with idle_connections(lab["wsgi"]):
        assert ping_s(lab["wsgi"]) is not None, "/ping waited behind idle connections to nginx"
    with idle_connections(lab["wsgi-direct"]):
        assert ping_s(lab["wsgi"]) is None, "the idle connections did not hold both workers"
        assert ping_s(lab["wsgi-direct"]) is None
    # Let go (or killed after TIMEOUT_S), the workers serve again, through the proxy too.
    deadline = time.monotonic() + TIMEOUT_S + 15
    while ping_s(lab["wsgi"]) is None:
        assert time.monotonic() < deadline, "the workers never came back"
