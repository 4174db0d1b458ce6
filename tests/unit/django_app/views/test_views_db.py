"""The slow query on both handlers (SQLite with the registered sleep function)."""

from __future__ import annotations

import pytest
from django_clients import Caller
from prometheus_client import REGISTRY


@pytest.mark.parametrize("path", ["/db/sync", "/db/async"])
def test_slow_query_waits_in_the_database(client: Caller, path: str) -> None:
    labels = {"server": client.server, "vendor": "sqlite"}
    before = REGISTRY.get_sample_value("lab_db_query_duration_seconds_count", labels) or 0
    answer = client.get(f"{path}?delay_ms=60")
    assert answer.status == 200, answer.body
    body = answer.json()
    assert (body["vendor"], body["delay_ms"]) == ("sqlite", 60)
    assert body["elapsed_ms"] >= 60
    after = REGISTRY.get_sample_value("lab_db_query_duration_seconds_count", labels)
    assert after == before + 1
