"""Upstream down, failing, hanging or resetting: a JSON 502/504 in bounded time."""

from __future__ import annotations

import dataclasses
import json
import time
import urllib.request
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from django.test import override_settings
from prometheus_client import REGISTRY

from lab.runner import free_port
from lab.settings import LabSettings

if TYPE_CHECKING:
    from conftest import Caller


def upstream_config(url: str, method: str, body: dict[str, object]) -> None:
    req = urllib.request.Request(url + "/config", data=json.dumps(body).encode(), method=method)
    req.add_header("content-type", "application/json")
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 200


ENDPOINTS = ["/io/sync", "/io/async", "/io/sync-to-async", "/fanout/sync", "/fanout/async"]


@pytest.fixture
def short_timeout(lab: LabSettings) -> Iterator[LabSettings]:
    new = dataclasses.replace(lab, upstream_timeout_s=0.5)
    with override_settings(LAB=new):
        yield new


@pytest.mark.parametrize("path", ENDPOINTS)
def test_upstream_down_is_502(client: Caller, lab: LabSettings, path: str) -> None:
    down = dataclasses.replace(lab, upstream_url=f"http://127.0.0.1:{free_port()}")
    with override_settings(LAB=down):
        answer = client.get(f"{path}?delay_ms=0")
    assert answer.status == 502
    assert answer.json()["error"] == "upstream unreachable or connection lost"


@pytest.mark.parametrize("path", ENDPOINTS)
def test_upstream_error_is_502_with_its_status(
    client: Caller, lab: LabSettings, upstream_url: str, path: str
) -> None:
    upstream_config(upstream_url, "PUT", {"error_rate": 1, "error_status": 503})
    answer = client.get(f"{path}?delay_ms=0")
    assert answer.status == 502
    assert answer.json() == {"error": "upstream answered an error", "upstream_status": 503}


@pytest.mark.parametrize("path", ["/io/sync", "/io/async"])
def test_upstream_reset_is_502(
    client: Caller, lab: LabSettings, upstream_url: str, path: str
) -> None:
    upstream_config(upstream_url, "PUT", {"reset_rate": 1})
    answer = client.get(f"{path}?delay_ms=0")
    assert answer.status == 502
    assert "reason" in answer.json()


@pytest.mark.parametrize("path", ["/io/sync", "/io/async", "/fanout/async"])
def test_upstream_hang_is_504_within_the_timeout(
    client: Caller, short_timeout: LabSettings, upstream_url: str, path: str
) -> None:
    upstream_config(upstream_url, "PUT", {"hang_rate": 1, "hang_ms": 10_000})
    started = time.monotonic()
    answer = client.get(f"{path}?delay_ms=0")
    took = time.monotonic() - started
    assert answer.status == 504
    assert answer.json()["error"] == "upstream did not answer within 0.5 s"
    assert 0.5 <= took < 3.0


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
