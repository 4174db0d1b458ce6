"""Server-Timing's upstream figure is the upstream's delay, within a few ms, on every way of
calling it; parallel calls add up."""

from __future__ import annotations

import re

import pytest
from django_clients import Caller

from contracts.settings import LabSettings

pytestmark = pytest.mark.integration

DELAY_MS = 150
SLACK_MS = 25  # loopback, the client and a shared machine; far below one delay


def upstream_of(header: str) -> tuple[float, int]:
    m = re.search(r'upstream;dur=([\d.]+);desc="(\d+) calls?"', header)
    assert m, header
    return float(m[1]), int(m[2])


@pytest.mark.parametrize("path", ["/io/sync", "/io/async", "/io/async-blocking"])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_upstream_time_is_the_delay(
    client: Caller, lab: LabSettings, path: str, method: str
) -> None:
    client.get(f"{path}?delay_ms=0")  # warm: the first call also opens the client's connection
    answer = client.get(f"{path}?delay_ms={DELAY_MS}", method=method)
    assert answer.status == 200
    ms, calls = upstream_of(answer.headers["Server-Timing"])
    assert calls == 1
    assert DELAY_MS <= ms <= DELAY_MS + SLACK_MS


@pytest.mark.parametrize("path", ["/fanout/sync", "/fanout/async"])
def test_parallel_calls_add_up(client: Caller, lab: LabSettings, path: str) -> None:
    answer = client.get(f"{path}?n=3&delay_ms={DELAY_MS}")
    assert answer.status == 200
    ms, calls = upstream_of(answer.headers["Server-Timing"])
    assert calls == 3
    assert 3 * DELAY_MS <= ms <= 3 * (DELAY_MS + SLACK_MS)
