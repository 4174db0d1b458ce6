"""The behaviour the lab exists for, on the real servers (gunicorn, uvicorn) on 127.0.0.1.

Every claim is a ratio with a wide margin: the machine is small, shared and noisy.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import TypedDict, Unpack, get_args

import aiohttp
import pytest
from http_burst import burst
from prometheus_client.parser import text_string_to_metric_families

from contracts.settings import AsgiServer, LabSettings, MiddlewareStack, WsgiWorkerClass
from lab.runner import running, with_free_ports

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabSettings]:
    base = LabSettings(lab_var_dir=str(tmp_path_factory.mktemp("var")), upstream_timeout_s=2.0)
    settings = with_free_ports(base, "upstream", "wsgi", "asgi")
    with running("upstream", settings):
        yield settings


class Changes(TypedDict, total=False):
    """The settings a test changes for the server it starts."""

    web_workers: int
    web_threads: int
    wsgi_worker_class: WsgiWorkerClass
    asgi_server: AsgiServer


@contextlib.contextmanager
def server(name: str, lab: LabSettings, **changes: Unpack[Changes]) -> Iterator[str]:
    with running(name, dataclasses.replace(lab, **changes)) as url:
        yield url


def get(url: str, timeout: float = 30) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def timed(url: str) -> float:
    started = time.perf_counter()
    status, _ = get(url)
    assert status == 200
    return time.perf_counter() - started


def test_async_io_beats_sync_workers_at_40_concurrent(lab: LabSettings) -> None:
    with server("wsgi", lab, web_workers=2, wsgi_worker_class="sync") as wsgi:
        sync_s, statuses = burst(wsgi + "/io/sync?delay_ms=200", 40)
        assert statuses == [200] * 40
    with server("asgi", lab, web_workers=2) as asgi:
        burst(asgi + "/io/async?delay_ms=0", 4)  # warm up: clients, connections
        async_s, statuses = burst(asgi + "/io/async?delay_ms=200", 40)
        assert statuses == [200] * 40
    print(f"40 x 200 ms: sync {sync_s:.2f} s, async {async_s:.2f} s, {sync_s / async_s:.1f}x")
    # Little's law: 2 sync workers need 40 x 0.2 / 2 = 4 s; the loop about one delay.
    assert sync_s >= 0.7 * 4.0
    assert sync_s >= 3 * async_s


def ping_during(base: str, cpu_path: str) -> float:
    """The slowest of a few /ping answers while a 1.5 s CPU request runs."""
    worker = threading.Thread(target=get, args=(base + cpu_path,))
    worker.start()
    try:
        time.sleep(0.2)  # the CPU request has started
        return max(timed(base + "/ping") for _ in range(3))
    finally:
        worker.join()


def test_cpu_in_an_async_view_holds_back_ping_but_not_on_gthread(lab: LabSettings) -> None:
    cpu = "?cpu_ms=1500"
    # One worker each: the /ping must share the process with the CPU work.
    with server("asgi", lab, web_workers=1) as asgi:
        timed(asgi + "/cpu/async?cpu_ms=1")  # calibrate outside the measurement
        blocked = ping_during(asgi, "/cpu/async" + cpu)
    with server("wsgi", lab, web_workers=1, web_threads=4, wsgi_worker_class="gthread") as wsgi:
        timed(wsgi + "/cpu/sync?cpu_ms=1")
        shared = ping_during(wsgi, "/cpu/sync" + cpu)
    print(f"/ping during 1.5 s of CPU: uvicorn {blocked:.3f} s, gthread {shared:.3f} s")
    assert blocked >= 0.5  # waited for most of the CPU work
    assert blocked >= 4 * shared


def test_thread_sensitive_sync_to_async_serialises(lab: LabSettings) -> None:
    with server("asgi", lab, web_workers=1) as asgi:
        url = asgi + "/io/sync-to-async?delay_ms=200&n=5&thread_sensitive="
        timed(url + "0")  # warm up
        serial, parallel = timed(url + "1"), timed(url + "0")
    print(f"5 x 200 ms via sync_to_async: thread_sensitive=1 {serial:.2f} s, =0 {parallel:.2f} s")
    assert serial >= 0.8 * 5 * 0.2
    assert serial >= 3 * parallel


Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(base: str) -> Samples:
    with urllib.request.urlopen(base + "/metrics", timeout=10) as r:
        text = r.read().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def total(samples: Samples, name: str, **want: str) -> float:
    """The sum over every series of `name` whose labels include `want` (all workers)."""
    return sum(v for (n, labels), v in samples.items() if n == name and want.items() <= set(labels))


@pytest.mark.parametrize(
    ("name", "changes"),
    [
        ("wsgi", {"web_workers": 3, "wsgi_worker_class": "sync"}),
        ("asgi", {"web_workers": 2, "asgi_server": "gunicorn"}),
    ],
    ids=["wsgi", "asgi"],
)
def test_metrics_from_several_workers_add_up_exactly(
    lab: LabSettings, name: str, changes: Changes
) -> None:
    with server(name, lab, **changes) as base:
        # Slow requests, more at once than there are workers: every worker takes some.
        _, ok = burst(base + "/io/sync?delay_ms=150", 12)
        _, pings = burst(base + "/ping", 25)
        _, bad = burst(base + "/io/sync?delay_ms=-1", 5)
        samples = scrape(base)
    assert (ok, pings, bad) == ([200] * 12, [200] * 25, [400] * 5)
    requests = "lab_http_request_duration_seconds_count"
    assert total(samples, requests, server=name, route="io_sync", status="200") == 12
    assert total(samples, requests, server=name, route="io_sync", status="400") == 5
    assert total(samples, requests, server=name, route="ping") == 25
    assert total(samples, "lab_http_request_duration_seconds_count", route="io_sync") == 17
    assert total(samples, "lab_http_requests_in_flight", route="io_sync") == 0
    upstream_ok = total(samples, "lab_upstream_request_duration_seconds_count", outcome="ok")
    assert upstream_ok == 12
    pids = {dict(labels)["pid"] for (n, labels), _ in samples.items() if n == "lab_process_threads"}
    if name == "wsgi":
        assert len(pids) >= 2  # sync workers serve one request each: the burst spread
    assert total(samples, "lab_server_workers", server=name) == changes["web_workers"]


@pytest.mark.parametrize("name", ["wsgi", "asgi"])
def test_upstream_hang_is_a_504_within_the_timeout_and_the_worker_recovers(
    lab: LabSettings, name: str
) -> None:
    config = f"{lab.upstream_url}/config"
    with server(name, lab, web_workers=1) as base:
        req = urllib.request.Request(
            config, data=b'{"hang_rate": 1, "hang_ms": 20000}', method="PUT"
        )
        req.add_header("content-type", "application/json")
        urllib.request.urlopen(req, timeout=10).close()
        try:
            started = time.perf_counter()
            status, body = get(base + ("/io/async" if name == "asgi" else "/io/sync"))
            took = time.perf_counter() - started
        finally:
            urllib.request.urlopen(urllib.request.Request(config, method="DELETE")).close()
        assert (status, body["error"]) == (504, "upstream did not answer within 2 s")
        assert took < 2.0 + 2.0
        assert get(base + "/io/sync?delay_ms=0")[0] == 200


def test_stream_stops_when_the_client_goes_away(lab: LabSettings) -> None:
    with server("asgi", lab, web_workers=1) as base:

        async def read_two_then_leave() -> None:
            url = base + "/stream/async?events=100&interval_ms=50"
            async with aiohttp.ClientSession() as session, session.get(url) as r:
                seen = 0
                async for line in r.content:
                    seen += line.startswith(b"id: ")
                    if seen == 2:
                        break

        asyncio.run(read_two_then_leave())
        time.sleep(0.5)  # ten more intervals: a stream still running would send ~10 events
        samples = scrape(base)
    assert total(samples, "lab_stream_disconnects_total") == 1
    assert total(samples, "lab_stream_events_total") <= 5
    # A stream is in flight until the server closes it: a client gone is a stream ended.
    assert total(samples, "lab_http_requests_in_flight", route="stream_async") == 0


async def _events_and_flight(base: str, path: str) -> tuple[list[float], float]:
    """When each event arrived (s), and the stream's in flight half a second in."""
    started = time.perf_counter()
    arrived: list[float] = []

    async def read() -> None:
        async with aiohttp.ClientSession() as session, session.get(base + path) as r:
            async for line in r.content:
                if line.startswith(b"id: "):
                    arrived.append(time.perf_counter() - started)

    async def flight() -> float:
        await asyncio.sleep(0.5)
        samples = await asyncio.to_thread(scrape, base)
        return total(samples, "lab_http_requests_in_flight", route="stream_sync")

    _, in_flight = await asyncio.gather(read(), flight())
    return arrived, in_flight


@pytest.mark.parametrize("name", ["wsgi", "asgi"])
def test_a_sync_stream_holds_its_request_and_under_asgi_arrives_in_one_piece(
    lab: LabSettings, name: str
) -> None:
    # Four events 250 ms apart: a second of stream. gthread, so the scrape gets a thread.
    with server(name, lab, web_workers=1, wsgi_worker_class="gthread", web_threads=2) as base:
        arrived, flight = asyncio.run(
            _events_and_flight(base, "/stream/sync?events=4&interval_ms=250")
        )
        after = scrape(base)
    first, last = arrived[0], arrived[-1]
    assert len(arrived) == 4
    assert flight == 1  # counted while its body is being sent, not only until the view returns
    assert total(after, "lab_http_requests_in_flight", route="stream_sync") == 0
    assert total(after, "lab_stream_events_total", server=name) == 4
    if name == "wsgi":
        # One event every 250 ms, as they are made.
        assert first < 0.6
        assert last - first >= 0.6
    else:
        # Django read the whole stream before it sent the first event.
        assert first >= 0.9
        assert last - first < 0.1


@pytest.mark.parametrize("stack", get_args(MiddlewareStack))
@pytest.mark.parametrize("name", ["wsgi", "asgi"])
def test_the_server_label_is_the_server_whatever_the_middleware_chain(
    lab: LabSettings, name: str, stack: MiddlewareStack
) -> None:
    # A sync-only middleware makes Django run the chain in sync mode under ASGI too: the label
    # must still say asgi, and the loop-lag probe must still run on the worker's loop. Django's
    # own stack must serve the lab's endpoints as they are (no session, no CSRF on a GET).
    changed = dataclasses.replace(lab, web_workers=1, middleware_stack=stack)
    with running(name, changed) as base:
        answers = [get(base + "/ping") for _ in range(3)]
        time.sleep(0.5)  # five probe intervals
        samples = scrape(base)
    assert answers == [(200, {"pong": True, "server": name})] * 3
    servers = {
        dict(labels)["server"]
        for (n, labels), _ in samples.items()
        if n == "lab_http_request_duration_seconds_count" and dict(labels)["route"] == "ping"
    }
    assert servers == {name}
    assert total(samples, "lab_http_request_duration_seconds_count", server=name, route="ping") == 3
    lag_samples = total(samples, "lab_event_loop_lag_seconds_count", server="asgi")
    if name == "asgi":
        assert lag_samples >= 2
    else:
        assert lag_samples == 0
