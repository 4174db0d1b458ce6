"""The open-model generator against real servers: it holds its rate, and its latency agrees
with what the servers measured themselves."""

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp import web
from loadgen_lab import Lab, sample, scrape

from contracts.paths import REPO
from loadgen.openmodel import Stage, run, run_async

pytestmark = pytest.mark.integration


def histogram(url: str, name: str, **labels: str) -> tuple[float, float]:
    text = scrape(url)
    return sample(text, name + "_sum", **labels), sample(text, name + "_count", **labels)


def test_holds_200_requests_per_second_and_agrees_with_the_upstream(lab: Lab) -> None:
    metric = "upstream_delay_actual_seconds"
    sum0, count0 = histogram(lab.upstream + "/metrics", metric)
    result = run(lab.upstream + "/slow?delay_ms=20", [Stage(rate=200, duration_s=5)])
    sum1, count1 = histogram(lab.upstream + "/metrics", metric)

    assert result.errors == {}
    assert result.dropped == 0
    assert result.ok == result.sent == result.planned == 1000
    assert abs(result.achieved_rate - 200) <= 200 * 0.05, result.report()
    # The upstream saw every request, and they took what it says they took.
    assert count1 - count0 == 1000
    server_mean = (sum1 - sum0) / (count1 - count0)
    client_mean = result.latency.summary_ms()["mean"] / 1000
    assert server_mean >= 0.020
    # The client adds the network and HTTP handling, never less than the server's own wait.
    assert server_mean <= client_mean <= server_mean * 1.25 + 0.010, result.report()


def test_latency_agrees_with_the_django_histogram(lab: Lab) -> None:
    metric, labels = "lab_http_request_duration_seconds", {"route": "io_async", "server": "asgi"}
    sum0, count0 = histogram(lab.asgi + "/metrics", metric, **labels)
    result = run(lab.asgi + "/io/async?delay_ms=50", [Stage(rate=40, duration_s=4)])
    sum1, count1 = histogram(lab.asgi + "/metrics", metric, **labels)

    assert result.errors == {}
    assert count1 - count0 == result.ok == 160
    server_mean = (sum1 - sum0) / (count1 - count0)
    client = result.latency.summary_ms()
    assert server_mean >= 0.050
    assert server_mean - 0.001 <= client["mean"] / 1000 <= server_mean * 1.25 + 0.015, (
        f"server mean {server_mean * 1000:.1f} ms\n{result.report()}"
    )


def test_lab_load_prints_a_report_and_writes_json(lab: Lab, tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    url = lab.upstream + "/slow?delay_ms=5"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "lab",
            "load",
            "--url",
            url,
            "--rate",
            "50",
            "--duration",
            "2s",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert r.returncode == 0, r.stderr
    assert "requested 50.0 req/s, achieved" in r.stdout
    data = json.loads(out.read_text())
    assert data["sent"] == data["ok"] == 100
    assert data["latency_ms"]["p50"] >= 5.0


def test_timed_out_requests_count_in_the_failed_and_all_latencies(lab: Lab) -> None:
    # Every request outlives the 150 ms timeout: none succeeds, all of them waited.
    result = run(
        lab.upstream + "/slow?delay_ms=1000", [Stage(rate=20, duration_s=1)], timeout_s=0.15
    )

    assert result.errors == {"timeout": 20}
    assert result.ok == 0
    assert result.latency.count == 0
    data = result.as_dict()
    assert data["latency_ms"] == {}
    assert 150 <= data["failed_latency_ms"]["p50"] < 1000, result.report()
    assert data["all_latency_ms"] == data["failed_latency_ms"]
    assert "failed" in result.report()


async def peer_ports_seen(fresh_connections: bool) -> set[int]:
    """The client ports a real HTTP server (aiohttp's, keep-alive on) saw across 20 requests."""
    seen: set[int] = set()

    async def answer(request: web.Request) -> web.Response:
        seen.add(request.transport.get_extra_info("peername")[1])  # type: ignore[union-attr]
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        result = await run_async(
            f"http://127.0.0.1:{port}/",
            [Stage(rate=40, duration_s=0.5)],
            fresh_connections=fresh_connections,
        )
    finally:
        await runner.cleanup()
    assert result.ok == 20, result.report()
    return seen


def test_fresh_connections_open_one_per_request_and_the_default_keeps_them() -> None:
    assert len(asyncio.run(peer_ports_seen(fresh_connections=True))) == 20
    # One request every 25 ms, each answered in well under that: one connection carries most.
    assert len(asyncio.run(peer_ports_seen(fresh_connections=False))) < 5
