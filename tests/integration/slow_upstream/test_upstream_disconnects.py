"""Clients that give up before the upstream answers: no traceback in its log, its in-flight
gauge back to exactly 0 once the abandoned requests have run their course, and each of them
counted as abandoned, the ones waited for not."""

from __future__ import annotations

import asyncio
import re
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from contracts.settings import LabSettings
from lab.runner import running, with_free_ports

pytestmark = pytest.mark.integration

ABANDONED = [
    "/slow?delay_ms=600",
    "/slow?delay_ms=600&reset_rate=1",
    "/slow?delay_ms=600&error_rate=1",
    "/slow?hang_rate=1&hang_ms=600",
    "/slow?delay_ms=0&drip_bytes=50&drip_ms=600",
]


@pytest.fixture
def upstream(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    log = tmp_path / "upstream.log"
    settings = with_free_ports(LabSettings(lab_var_dir=str(tmp_path)), "upstream")
    with log.open("wb") as out, running("upstream", settings, output=out) as url:
        yield url, log


async def _abandon(url: str, paths: list[str], copies: int) -> None:
    async with aiohttp.ClientSession() as session:

        async def one(path: str) -> None:
            try:
                async with session.get(url + path, timeout=aiohttp.ClientTimeout(total=0.15)):
                    pass
            except (TimeoutError, aiohttp.ClientError):
                pass  # gone before the answer: the point

        await asyncio.gather(*(one(p) for p in paths for _ in range(copies)))


def metric(url: str, name: str) -> float:
    with urllib.request.urlopen(url + "/metrics", timeout=10) as r:
        text = r.read().decode()
    match = re.search(rf"^{name} (\S+)$", text, re.MULTILINE)
    assert match is not None
    return float(match[1])


def in_flight(url: str) -> float:
    return metric(url, "upstream_requests_in_flight")


def test_abandoned_requests_leave_no_traceback_and_no_in_flight(
    upstream: tuple[str, Path],
) -> None:
    url, log = upstream
    asyncio.run(_abandon(url, ABANDONED, copies=6))
    assert in_flight(url) > 0  # still being served after their clients left
    deadline = time.monotonic() + 10
    while in_flight(url) != 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2.5)  # a reset or close waits up to 2 s for the server to see the disconnect
    assert in_flight(url) == 0
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text[-3000:]


async def _wait_for(url: str, path: str, copies: int) -> None:
    async with aiohttp.ClientSession() as session:

        async def one() -> None:
            async with session.get(url + path) as r:
                assert r.status == 200

        await asyncio.gather(*(one() for _ in range(copies)))


def test_callers_that_hang_up_are_counted_abandoned_and_those_that_wait_are_not(
    upstream: tuple[str, Path],
) -> None:
    url, _ = upstream
    asyncio.run(_wait_for(url, "/slow?delay_ms=300", copies=3))
    assert metric(url, "upstream_requests_abandoned_total") == 0
    asyncio.run(_abandon(url, ["/slow?delay_ms=600"], copies=5))
    deadline = time.monotonic() + 10
    while in_flight(url) != 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert metric(url, "upstream_requests_abandoned_total") == 5
    assert metric(url, 'upstream_requests_total{outcome="ok"}') == 8
