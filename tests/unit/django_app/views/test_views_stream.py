"""Server-sent events on both handlers, from the async view and from the sync one."""

from __future__ import annotations

import json

import pytest
from django_clients import Caller, sync_stream_warning
from prometheus_client import REGISTRY


@pytest.mark.parametrize("path", ["/stream/async", "/stream/sync"])
def test_events_arrive_in_order_as_sse(client: Caller, path: str) -> None:
    before = REGISTRY.get_sample_value("lab_stream_events_total", {"server": client.server}) or 0
    with sync_stream_warning(client.server, path):
        answer = client.get(f"{path}?events=4&interval_ms=10")
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "text/event-stream"
    assert answer.headers["Cache-Control"] == "no-cache"
    blocks = [b for b in answer.body.decode().split("\n\n") if b]
    assert len(blocks) == 4
    ids, data = [], []
    for block in blocks:
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        assert fields["event"] == "tick"
        ids.append(int(fields["id"]))
        data.append(json.loads(fields["data"]))
    assert ids == [0, 1, 2, 3]
    assert all(d["server"] == client.server and d["of"] == 4 for d in data)
    after = REGISTRY.get_sample_value("lab_stream_events_total", {"server": client.server})
    assert after == before + 4


def test_the_sync_stream_is_a_sync_view() -> None:
    from asgiref.sync import iscoroutinefunction
    from django.urls import resolve

    assert not iscoroutinefunction(resolve("/stream/sync").func)
    assert iscoroutinefunction(resolve("/stream/async").func)
