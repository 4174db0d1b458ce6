"""n concurrent GETs against a real server, for the suites that compare how servers hold a
burst (importable from every test directory: pytest puts this one on sys.path)."""

from __future__ import annotations

import asyncio
import time

import aiohttp


async def _burst(url: str, n: int) -> list[int]:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:

        async def one() -> int:
            async with session.get(url, timeout=aiohttp.ClientTimeout(total=60)) as r:
                await r.read()
                return r.status

        return await asyncio.gather(*(one() for _ in range(n)))


def burst(url: str, n: int) -> tuple[float, list[int]]:
    """n concurrent GETs; (seconds until the last answer, statuses)."""
    started = time.perf_counter()
    statuses = asyncio.run(_burst(url, n))
    return time.perf_counter() - started, statuses
