"""The images' stdlib healthcheck against real sockets on 127.0.0.1: an HTTP server, a port
that accepts and never answers, one that answers something other than HTTP."""

from __future__ import annotations

import http.server
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import yaml
from docker_scripts import load

from contracts.paths import REPO

pytestmark = pytest.mark.integration

healthcheck = load("healthcheck")


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
