"""Server-Timing on every answer: app, upstream (sum and count), db, and the proxy's queue."""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import Client
from django_clients import Caller

from django_app.observability import timing


def metrics_of(header: str) -> dict[str, tuple[float, str]]:
    """`name;dur=1.5;desc="x"` entries as {name: (ms, desc)}."""
    found: dict[str, tuple[float, str]] = {}
    for part in header.split(", "):
        m = re.fullmatch(r'(\w+);dur=([\d.]+);desc="([^"]*)"', part)
        assert m, part
        found[m[1]] = (float(m[2]), m[3])
    return found


@pytest.mark.parametrize("path", ["/ping", "/io/sync?delay_ms=-1", "/nowhere", "/healthz"])
def test_every_answer_carries_server_timing(client: Caller, path: str) -> None:
    found = metrics_of(client.get(path).headers["Server-Timing"])
    assert set(found) == {"app", "upstream", "db"}  # no proxy in front: no queue
    assert found["upstream"] == (0.0, "0 calls")
    assert found["db"] == (0.0, "0 queries")


def test_a_stream_carries_what_is_known_when_its_headers_go(client: Caller) -> None:
    # The headers leave before the body: `app` ends when the response exists, so it is far
    # below the stream's 3 x 100 ms.
    answer = client.get("/stream/async?events=3&interval_ms=100")
    assert answer.body.count(b"event: tick") == 3
    assert metrics_of(answer.headers["Server-Timing"])["app"][0] < 300


def test_db_time_is_the_query_s(client: Caller) -> None:
    found = metrics_of(client.get("/db/sync?delay_ms=120").headers["Server-Timing"])
    assert found["db"][1] == "1 query"
    assert 120 <= found["db"][0] <= found["app"][0]


def test_a_refused_upstream_call_still_counts(client: Caller) -> None:
    # The unit suite's upstream is a closed port: the call fails at once, but it was made.
    answer = client.get("/io/async?delay_ms=10")
    assert answer.status == 502
    assert metrics_of(answer.headers["Server-Timing"])["upstream"][1] == "1 call"


def test_queue_comes_from_the_proxys_stamp() -> None:
    stamp = f"t={time.time() - 0.25:.3f}"
    response = Client(headers={"X-Request-Start": stamp}).get("/ping")
    queue_ms, desc = metrics_of(response.headers["Server-Timing"])["queue"]
    assert 240 <= queue_ms < 5000  # the stamp is rounded to the ms
    assert desc == "proxy to Django"


# A minute ahead of the request's arrival: read when the test runs, not when it is collected
# (a whole suite can run for longer than a minute in between).
AHEAD = "a minute ahead"


@pytest.mark.parametrize("stamp", ["", "t=", "t=abc", "t=1", AHEAD])
def test_an_unusable_stamp_gives_no_queue(stamp: str) -> None:
    now = time.time()
    if stamp == AHEAD:
        stamp = f"t={now + 60:.3f}"
    assert timing.queue_seconds({timing.REQUEST_START_HEADER: stamp}, now) is None


def test_a_stamp_a_little_ahead_is_no_wait() -> None:
    now = time.time()
    assert timing.queue_seconds({timing.REQUEST_START_HEADER: f"t={now + 0.0005}"}, now) == 0.0


def test_parallel_calls_add_up_in_one_record() -> None:
    record, token = timing.start({})
    try:
        add = timing.carried(lambda: timing.current().add_upstream(0.1))  # type: ignore[union-attr]
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda _: add(), range(40)))
        # A thread the record was not carried to sees none.
        seen: list[object] = []
        thread = threading.Thread(target=lambda: seen.append(timing.current()))
        thread.start()
        thread.join()
        assert seen == [None]
    finally:
        timing.stop(token)
    assert record.upstream_calls == 40
    assert record.upstream_s == pytest.approx(4.0)
    assert timing.current() is None
