"""Upstream down, failing, hanging or resetting: a JSON 502/504 in bounded time."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterator

import pytest
from django.test import override_settings
from django_clients import Caller, upstream_config
from prometheus_client import REGISTRY

from contracts.settings import LabSettings
from lab.runner import free_port

pytestmark = pytest.mark.integration

# Every endpoint that calls the upstream; fan-outs with a few calls so every fault hits each.
ENDPOINTS = [
    "/io/sync?delay_ms=0",
    "/io/async?delay_ms=0",
    "/io/async-blocking?delay_ms=0",
    "/io/sync-to-async?delay_ms=0&n=3&thread_sensitive=1",
    "/io/sync-to-async?delay_ms=0&n=3&thread_sensitive=0",
    "/fanout/sync?delay_ms=0&n=3",
    "/fanout/async?delay_ms=0&n=3",
]
TIMEOUT_S = 0.5
# What "within the timeout" tolerates: the test client's own overhead on a busy machine.
SLACK_S = 2.5


@pytest.fixture
def short_timeout(lab: LabSettings) -> Iterator[LabSettings]:
    new = dataclasses.replace(lab, upstream_timeout_s=TIMEOUT_S)
    with override_settings(LAB=new):
        yield new


def timed_get(client: Caller, path: str) -> tuple[int, dict[str, object], float]:
    started = time.monotonic()
    answer = client.get(path)
    took = time.monotonic() - started
    assert answer.headers["Content-Type"] == "application/json"
    return answer.status, answer.json(), took


@pytest.mark.parametrize("path", ENDPOINTS)
def test_upstream_down_is_502(client: Caller, short_timeout: LabSettings, path: str) -> None:
    down = dataclasses.replace(short_timeout, upstream_url=f"http://127.0.0.1:{free_port()}")
    with override_settings(LAB=down):
        status, body, took = timed_get(client, path)
    assert status == 502
    assert body["error"] == "upstream unreachable or connection lost"
    assert took < TIMEOUT_S + SLACK_S


@pytest.mark.parametrize("path", ENDPOINTS)
def test_upstream_error_is_502_with_its_status(
    client: Caller, lab: LabSettings, upstream_url: str, path: str
) -> None:
    upstream_config(upstream_url, "PUT", {"error_rate": 1, "error_status": 503})
    status, body, _ = timed_get(client, path)
    assert status == 502
    assert body == {"error": "upstream answered an error", "upstream_status": 503}


@pytest.mark.parametrize("path", ENDPOINTS)
def test_upstream_reset_is_502(
    client: Caller, short_timeout: LabSettings, upstream_url: str, path: str
) -> None:
    upstream_config(upstream_url, "PUT", {"reset_rate": 1})
    status, body, took = timed_get(client, path)
    assert status == 502
    assert body["error"] == "upstream unreachable or connection lost"
    assert "reason" in body
    assert took < TIMEOUT_S + SLACK_S


@pytest.mark.parametrize("path", ENDPOINTS)
def test_upstream_hang_is_504_within_the_timeout(
    client: Caller, short_timeout: LabSettings, upstream_url: str, path: str
) -> None:
    upstream_config(upstream_url, "PUT", {"hang_rate": 1, "hang_ms": 10_000})
    status, body, took = timed_get(client, path)
    assert status == 504
    assert body["error"] == f"upstream did not answer within {TIMEOUT_S} s"
    assert TIMEOUT_S <= took < TIMEOUT_S + SLACK_S


@pytest.mark.parametrize("path", ENDPOINTS)
def test_upstream_drip_past_the_timeout_is_504_within_the_timeout(
    client: Caller, short_timeout: LabSettings, upstream_url: str, path: str
) -> None:
    # A byte every 10 ms for 6 s: no single read is ever slow, only the whole body is, so
    # only a total deadline cuts it (httpx's per-phase timeouts alone took the full 6 s).
    upstream_config(upstream_url, "PUT", {"drip_bytes": 600, "drip_ms": 6_000})
    status, body, took = timed_get(client, path)
    assert status == 504
    assert body["error"] == f"upstream did not answer within {TIMEOUT_S} s"
    assert TIMEOUT_S <= took < TIMEOUT_S + SLACK_S


def test_outcomes_are_counted_per_client(client: Caller, lab: LabSettings) -> None:
    def count(name: str, outcome: str) -> float:
        labels = {"server": client.server, "client": name, "outcome": outcome}
        return REGISTRY.get_sample_value("lab_upstream_request_duration_seconds_count", labels) or 0

    ok_before, down_before = count("httpx-sync", "ok"), count("aiohttp", "connection_error")
    client.get("/io/sync?delay_ms=0")
    with override_settings(
        LAB=dataclasses.replace(lab, upstream_url=f"http://127.0.0.1:{free_port()}")
    ):
        client.get("/io/async?delay_ms=0")
    assert count("httpx-sync", "ok") == ok_before + 1
    assert count("aiohttp", "connection_error") == down_before + 1


def test_httpx_async_client_is_selectable(client: Caller, lab: LabSettings) -> None:
    with override_settings(LAB=dataclasses.replace(lab, async_http_client="httpx")):
        from django_app import upstream

        if client.server == "asgi":
            # The shared client of this loop was made with the default; start over.
            client.runner.run(upstream.close_async_clients())
        answer = client.get("/io/async?delay_ms=0")
        if client.server == "asgi":
            client.runner.run(upstream.close_async_clients())
    assert (answer.status, answer.json()["client"]) == (200, "httpx")


@pytest.mark.parametrize("path", ["/io/sync?delay_ms=0", "/io/async?delay_ms=0"])
def test_upstream_faults_are_not_logged_but_real_500s_are(
    client: Caller, lab: LabSettings, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.utils.log import log_response

    down = dataclasses.replace(lab, upstream_url=f"http://127.0.0.1:{free_port()}")
    with caplog.at_level(logging.WARNING, logger="django.request"), override_settings(LAB=down):
        assert client.get(path).status == 502
        assert [r for r in caplog.records if r.name == "django.request"] == []
        # The same path Django takes for every >= 400 answer, with a real server error.
        request = RequestFactory().get(path)
        log_response(
            "Internal Server Error: %s", path, request=request, response=HttpResponse(status=500)
        )
        log_response(
            "Gateway Timeout: %s", path, request=request, response=HttpResponse(status=504)
        )
    logged = [r.getMessage() for r in caplog.records if r.name == "django.request"]
    assert logged == [f"Internal Server Error: {path}"]
