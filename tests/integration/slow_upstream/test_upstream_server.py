"""The slow upstream as a real server on 127.0.0.1: waits, faults and limits as configured."""

import asyncio
import json
import math
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import httpx
import pytest

from contracts.settings import LabSettings
from lab.runner import ServiceFailed, running, with_free_ports

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = LabSettings(lab_var_dir=str(tmp_path_factory.mktemp("var")))
    with running("upstream", with_free_ports(settings, "upstream")) as url:
        yield url


@pytest.fixture
def url(upstream: str) -> Iterator[str]:
    yield upstream
    request(upstream + "/config", method="DELETE")


def request(url: str, method: str = "GET", body: object = None) -> tuple[int, object]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def metric(url: str, line_start: str) -> float:
    with urllib.request.urlopen(url + "/metrics", timeout=10) as r:
        for line in r.read().decode().splitlines():
            if line.startswith(line_start + " "):
                return float(line.rsplit(" ", 1)[1])
    return 0.0


async def fetch_all(
    target: str, n: int, concurrency: int, client_timeout_s: float = 30.0
) -> list[tuple[str, float]]:
    """n GETs, at most `concurrency` at once; (outcome, seconds) each, outcome a status or
    the name of the client error."""
    limit = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=client_timeout_s)
    ) as session:

        async def one() -> tuple[str, float]:
            async with limit:
                start = time.perf_counter()
                try:
                    async with session.get(target) as r:
                        await r.read()
                        outcome = str(r.status)
                except (aiohttp.ClientError, TimeoutError) as e:
                    outcome = type(e).__name__
                return outcome, time.perf_counter() - start

        return await asyncio.gather(*(one() for _ in range(n)))


async def fetch_without_retries(target: str, n: int, concurrency: int) -> Counter[str]:
    """Like fetch_all, with httpx: aiohttp retries a GET once when its connection is reset,
    which would hide the very resets under test."""
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30.0) as client:

        async def one() -> str:
            try:
                return str((await client.get(target)).status_code)
            except httpx.TransportError as e:
                return type(e).__name__

        return Counter(await asyncio.gather(*(one() for _ in range(n))))


def test_500_concurrent_waits_overlap(url: str) -> None:
    start = time.perf_counter()
    results = asyncio.run(fetch_all(url + "/slow?delay_ms=200", 500, 500))
    wall = time.perf_counter() - start
    assert Counter(o for o, _ in results) == {"200": 500}
    # Each wait is at least what was asked; together they overlap (one after the other
    # would take 100 s; a handful of 200 ms rounds is what a blocking pool would need).
    assert min(t for _, t in results) >= 0.2
    assert wall < 0.2 * 8


def test_faults_appear_at_their_rates(url: str) -> None:
    n, error_rate, reset_rate = 1000, 0.2, 0.1
    before = metric(url, 'upstream_requests_total{outcome="reset"}')
    target = (
        f"{url}/slow?delay_ms=0&error_rate={error_rate}&error_status=502&reset_rate={reset_rate}"
    )
    counts = asyncio.run(fetch_without_retries(target, n, 20))
    resets = n - counts["200"] - counts["502"]
    for seen, rate in ((counts["502"], error_rate), (resets, reset_rate)):
        sigma = math.sqrt(n * rate * (1 - rate))
        assert abs(seen - n * rate) < 5 * sigma, counts
    # The client saw exactly the resets the server says it injected.
    assert metric(url, 'upstream_requests_total{outcome="reset"}') - before == resets


def test_a_hang_is_cut_at_its_bound_and_does_not_block_others(url: str) -> None:
    async def scenario() -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        hang = asyncio.create_task(fetch_all(url + "/slow?hang_rate=1&hang_ms=800", 5, 5))
        await asyncio.sleep(0.1)
        ok = await fetch_all(url + "/slow?delay_ms=10", 5, 5)
        return await hang, ok

    hung, ok = asyncio.run(scenario())
    assert all(o == "200" and t < 0.8 for o, t in ok)
    for outcome, seconds in hung:
        assert outcome == "ServerDisconnectedError"
        assert 0.8 <= seconds < 0.8 * 3


def test_a_hang_outlasts_a_client_timeout(url: str) -> None:
    results = asyncio.run(
        fetch_all(url + "/slow?hang_rate=1&hang_ms=2000", 3, 3, client_timeout_s=0.3)
    )
    assert {o for o, _ in results} == {"TimeoutError"}


def test_concurrency_limit_refuses_beyond_the_queue(url: str) -> None:
    status, _ = request(url + "/config", "PUT", {"max_concurrency": 4, "max_queue": 2})
    assert status == 200
    results = asyncio.run(fetch_all(url + "/slow?delay_ms=300", 12, 12))
    counts = Counter(o for o, _ in results)
    assert counts == {"200": 6, "503": 6}
    # The two queued requests waited for a slot: one delay in service after another.
    served = sorted(t for o, t in results if o == "200")
    assert served[-1] >= 0.6


def test_config_changes_apply_to_the_next_request(url: str) -> None:
    assert request(url + "/config", "PUT", {"delay_ms": 50})[0] == 200
    status, body = request(url + "/slow")
    assert status == 200
    assert isinstance(body, dict)
    assert body["delay_ms"] == 50.0
    assert body["slept_ms"] >= 50.0
    status, body = request(url + "/config", "PUT", {"delay_ms": "slow"})
    assert status == 422
    assert isinstance(body, dict)
    assert body["detail"][0]["loc"] == ["body", "delay_ms"]


def test_environment_defaults_and_a_bad_one_stops_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = with_free_ports(LabSettings(lab_var_dir=str(tmp_path)), "upstream")
    monkeypatch.setenv("SLOW_DELAY_MS", "25")
    monkeypatch.setenv("SLOW_DISTRIBUTION", "exponential")
    with running("upstream", settings) as base:
        _, config = request(base + "/config")
        assert isinstance(config, dict)
        assert (config["delay_ms"], config["distribution"]) == (25.0, "exponential")
    monkeypatch.setenv("SLOW_DELAY_MS", "-1")
    with pytest.raises(ServiceFailed), running("upstream", settings, timeout=15):
        pass
