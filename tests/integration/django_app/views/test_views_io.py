"""One upstream call per request, four ways, on both handlers."""

from __future__ import annotations

import pytest
from django_clients import Caller

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    "path", ["/io/sync", "/io/async", "/io/async-blocking", "/io/sync-to-async"]
)
def test_delay_is_passed_to_the_upstream(client: Caller, path: str) -> None:
    answer = client.get(f"{path}?delay_ms=40")
    assert answer.status == 200, answer.body
    body = answer.json()
    assert body["server"] == client.server
    assert body["upstream"]["ok"] is True
    assert body["upstream"]["delay_ms"] == 40
    assert body["elapsed_ms"] >= 40


def test_async_client_is_the_configured_default(client: Caller) -> None:
    assert client.get("/io/async?delay_ms=0").json()["client"] == "aiohttp"


def test_thread_sensitive_calls_of_one_request_run_one_after_another(client: Caller) -> None:
    serial = client.get("/io/sync-to-async?delay_ms=80&n=3&thread_sensitive=1").json()
    parallel = client.get("/io/sync-to-async?delay_ms=80&n=3&thread_sensitive=0").json()
    assert serial["elapsed_ms"] >= 3 * 80
    assert parallel["elapsed_ms"] >= 80
    # n calls in a row against n side by side: 3x apart, 1.5x is a margin load cannot cross.
    assert serial["elapsed_ms"] >= 1.5 * parallel["elapsed_ms"], (serial, parallel)
