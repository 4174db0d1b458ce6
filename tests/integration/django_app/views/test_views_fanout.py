"""n upstream calls in parallel on both handlers."""

from __future__ import annotations

import pytest
from django_clients import Caller

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("path", ["/fanout/sync", "/fanout/async"])
def test_calls_run_in_parallel(client: Caller, path: str) -> None:
    answer = client.get(f"{path}?n=6&delay_ms=100")
    assert answer.status == 200, answer.body
    body = answer.json()
    assert (body["n"], body["delay_ms"]) == (6, 100)
    # In series it would take 600 ms; in parallel about one delay.
    assert 100 <= body["elapsed_ms"] < 350, body
