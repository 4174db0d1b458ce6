"""Server-sent events on both handlers."""

from __future__ import annotations

import json

from django_clients import Caller
from prometheus_client import REGISTRY


def test_events_arrive_in_order_as_sse(client: Caller) -> None:
    before = REGISTRY.get_sample_value("lab_stream_events_total", {"server": client.server}) or 0
    answer = client.get("/stream/async?events=4&interval_ms=10")
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
