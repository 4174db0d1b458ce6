"""CPU work on both handlers: the work is done and takes about the asked time."""

from __future__ import annotations

import pytest
from django_clients import Caller


@pytest.mark.parametrize("path", ["/cpu/sync", "/cpu/async", "/cpu/async-offload"])
def test_cpu_work_is_done_in_about_the_asked_time(client: Caller, path: str) -> None:
    answer = client.get(f"{path}?cpu_ms=30")
    assert answer.status == 200
    body = answer.json()
    assert body["cpu_ms"] == 30
    assert isinstance(body["checksum"], int)
    assert 15 <= body["elapsed_ms"] <= 1000


def test_cpu_ms_defaults_to_50(client: Caller) -> None:
    assert client.get("/cpu/sync").json()["cpu_ms"] == 50
