"""The slow upstream in-process, for tests that need its HTTP contract but no real waits."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import httpx

from slow_upstream.app import create_app
from slow_upstream.config import DEFAULTS, RuntimeConfig

# No real waits here: delays are exercised against the real server in integration tests.
START = replace(DEFAULTS, delay_ms=0.0)


class InProcessClient:
    """Synchronous calls into the ASGI app through httpx's in-process transport."""

    def __init__(self) -> None:
        self.transport = httpx.ASGITransport(app=create_app(RuntimeConfig(START)))

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def call() -> httpx.Response:
            async with httpx.AsyncClient(
                transport=self.transport, base_url="http://127.0.0.1"
            ) as c:
                return await c.request(method, url, **kwargs)

        return asyncio.run(call())

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)
