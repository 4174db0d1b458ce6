"""`lab browser --quick` for real: Debian's Chromium loads every page from both servers (its
own, on free ports), and the figures it prints and writes are a browser's."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from lab.browser import chromium
from lab.exercise import results

pytestmark = pytest.mark.integration

DELAY_MS = 200


@pytest.fixture(scope="module")
def run(chromium_binary: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("browser")
    out = tmp / "results.json"
    r = subprocess.run(
        [sys.executable, "-m", "lab", "browser", "--quick", "--own-servers", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**_env(), "LAB_VAR_DIR": str(tmp / "var")},
    )
    assert r.returncode == 0, r.stderr
    return {"stdout": r.stdout, "doc": results.read(out)}


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "LAB_PROXY"}


def test_it_prints_percentiles_for_both_servers_and_every_page(run: dict[str, Any]) -> None:
    table = run["stdout"]
    assert "TTFB p50" in table
    assert "LCP-TTFB p50" in table
    for server in ("wsgi", "asgi"):
        for page in ("/page/sync", "/page/async", "/page/async-blocking"):
            assert any(server in line and line.split()[1] == page for line in table.splitlines())
    assert "connections: direct, Chromium's network prediction off" in table


def test_every_load_is_a_browsers_and_waits_for_the_upstream(run: dict[str, Any]) -> None:
    (exercise,) = run["doc"]["exercises"]
    assert exercise["name"] == "browser"
    assert len(exercise["phases"]) == 6
    assert run["doc"]["environment"]["chromium"]
    for phase in exercise["phases"]:
        values = phase["values"]
        assert values["failed"] == 0, phase["client"]["errors"]
        assert values["samples"] == 3
        # The first byte waits for the upstream; the largest paint comes after the first byte.
        assert values["ttfb_ms_p50"] >= DELAY_MS
        assert values["lcp_ms_p50"] >= values["ttfb_ms_p50"]
        assert values["fcp_ms_p50"] <= values["lcp_ms_p50"]
        for sample in phase["client"]["samples"]:
            # DevTools' figures: the browser read the server's Server-Timing header.
            assert sample["server_timing"]["upstream"] >= DELAY_MS


class _Counting(ThreadingHTTPServer):
    accepted = 0

    def get_request(self) -> Any:
        got = super().get_request()
        self.accepted += 1
        return got


class _Page(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request per connection, as gunicorn's sync workers

    def do_GET(self) -> None:
        body = b"<!doctype html><link rel=icon href='data:,'><h1>Hello</h1>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def counting_server() -> Iterator[_Counting]:
    server = _Counting(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_the_browser_opens_no_connection_it_does_not_use(
    chromium_binary: str, counting_server: _Counting
) -> None:
    # The same page again and again, where a predictor would learn to preconnect: each load
    # is one connection, and none is left idle (the sync workers' weakness).
    url = f"http://127.0.0.1:{counting_server.server_address[1]}/page"
    with chromium.launched(chromium_binary) as browser:
        loads = [browser.load(url) for _ in range(5)]
        time.sleep(1.0)  # a speculative socket would open about now
    assert all(load.ok for load in loads)
    assert counting_server.accepted == len(loads)
