"""The two helper scripts of the images: the stdlib healthcheck and the Grafana secret."""

from __future__ import annotations

import http.server
import importlib.util
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from contracts.paths import REPO

DOCKER_DIR = REPO / "services" / "docker"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, DOCKER_DIR / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


healthcheck = _load("healthcheck")
grafana_secret = _load("grafana_secret")


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/healthz" else 503)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_http_healthy_only_on_200(server: str) -> None:
    assert healthcheck.main([f"http://{server}/healthz"]) == 0
    assert healthcheck.main([f"http://{server}/other"]) == 1


def test_tcp_healthy_when_it_accepts(server: str) -> None:
    assert healthcheck.main([f"tcp://{server}"]) == 0
    assert healthcheck.main([f"tcp://127.0.0.1:{_closed_port()}"]) == 1


@pytest.mark.parametrize("argv", [[], ["ftp://x/"], ["tcp://nohost"], ["http://h:port/"]])
def test_bad_use_is_unhealthy(argv: list[str]) -> None:
    assert healthcheck.main(argv) != 0


def test_http_reason_names_the_status(server: str) -> None:
    assert healthcheck.check(f"http://{server}/other") == f"http://{server}/other: HTTP 503"


@pytest.fixture
def silent() -> Iterator[str]:
    """A server that accepts connections and never answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield f"127.0.0.1:{s.getsockname()[1]}"


def test_a_hung_server_is_reported_before_docker_gives_up(silent: str) -> None:
    started = time.monotonic()
    problem = healthcheck.check(f"http://{silent}/healthz")
    took = time.monotonic() - started
    assert problem is not None
    assert "timed out" in problem
    # The check gives up (and says why) well before compose's `timeout` kills it.
    assert took < healthcheck.TIMEOUT_S + 0.5
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    timeout = compose["x-healthcheck"]["timeout"]
    assert float(timeout.removesuffix("s")) >= healthcheck.TIMEOUT_S + 0.5


def test_not_http_is_unhealthy() -> None:
    def answer_junk(listener: socket.socket) -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(1024)
            conn.sendall(b"SSH-2.0-nope\r\n")

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        thread = threading.Thread(target=answer_junk, args=(listener,), daemon=True)
        thread.start()
        problem = healthcheck.check(f"http://127.0.0.1:{listener.getsockname()[1]}/")
        thread.join(5)
    assert problem is not None
    assert "not an HTTP answer" in problem


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
