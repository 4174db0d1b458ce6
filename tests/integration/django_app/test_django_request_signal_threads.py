"""On a real uvicorn worker: every /io/async request in flight holds an OS thread, because
of django.db's request_started receivers; with ASGI_DB_REQUEST_STARTED=False, none does."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import Iterator

import aiohttp
import pytest

from contracts.settings import LabSettings
from lab.runner import running, with_free_ports

pytestmark = pytest.mark.integration

WAITS = 40
DELAY_MS = 1500


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabSettings]:
    base = LabSettings(lab_var_dir=str(tmp_path_factory.mktemp("var")), web_workers=1)
    settings = with_free_ports(base, "upstream", "asgi")
    with running("upstream", settings):
        yield settings


async def _scrape(session: aiohttp.ClientSession, base: str) -> tuple[int, int]:
    """(OS threads of the worker, /io/async requests in flight)."""
    async with session.get(base + "/metrics") as r:
        text = await r.text()
    threads = re.search(r"^lab_process_threads\{[^}]*\} (\S+)$", text, re.MULTILINE)
    waiting = re.search(
        r'^lab_http_requests_in_flight\{[^}]*route="io_async"[^}]*\} (\S+)$', text, re.MULTILINE
    )
    assert threads is not None, text
    assert waiting is not None, text
    return int(float(threads[1])), int(float(waiting[1]))


async def _threads_added(base: str) -> tuple[int, int]:
    """(threads the worker added while WAITS requests waited, requests in flight then)."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:

        async def call(delay_ms: int) -> None:
            async with session.get(f"{base}/io/async?delay_ms={delay_ms}") as r:
                assert r.status == 200
                await r.read()

        await asyncio.gather(*(call(0) for _ in range(4)))  # the shared client, its pool
        # Each request's end still takes a thread briefly (response.close() runs on one):
        # let those end before counting.
        await asyncio.sleep(0.5)
        idle, _ = await _scrape(session, base)
        waits = [asyncio.create_task(call(DELAY_MS)) for _ in range(WAITS)]
        await asyncio.sleep(DELAY_MS / 2000)
        busy, in_flight = await _scrape(session, base)
        await asyncio.gather(*waits)
    return busy - idle, in_flight


@pytest.mark.parametrize("keep", [True, False], ids=["django-receivers", "dropped"])
def test_a_waiting_async_request_holds_a_thread_only_for_djangos_receivers(
    lab: LabSettings, keep: bool
) -> None:
    settings = dataclasses.replace(lab, asgi_db_request_started=keep)
    with running("asgi", settings) as base:
        added, in_flight = asyncio.run(_threads_added(base))
    print(f"asgi_db_request_started={keep}: {in_flight} waiting, {added} threads added")
    assert in_flight == WAITS
    if keep:
        assert added >= 0.8 * WAITS  # one each, measured: exactly WAITS
    else:
        assert added == 0
