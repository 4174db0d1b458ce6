"""gevent and granian on 127.0.0.1: every endpoint answers, the metrics say which server ran,
and gevent's claims hold (slow I/O concurrent without async views, CPU blocks the worker).

Every claim is a ratio or a bound with a wide margin: the machine is small, shared, noisy.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from http_burst import burst
from prometheus_client.parser import text_string_to_metric_families

from contracts.servers import ServerName, shape
from contracts.settings import LabSettings
from lab.runner import running, with_free_ports

pytestmark = pytest.mark.integration

# Each URL name of django_app/urls.py, with parameters that keep it short.
ENDPOINTS = (
    "/",
    "/healthz",
    "/ping",
    "/metrics",
    "/io/sync?delay_ms=20",
    "/io/async?delay_ms=20",
    "/io/async-blocking?delay_ms=20",
    "/io/sync-to-async?delay_ms=20&n=2",
    "/cpu/sync?cpu_ms=5",
    "/cpu/async?cpu_ms=5",
    "/cpu/async-chunked?cpu_ms=5",
    "/cpu/async-offload?cpu_ms=5",
    "/db/sync?delay_ms=20",
    "/db/async?delay_ms=20",
    "/fanout/sync?delay_ms=20&n=3",
    "/fanout/async?delay_ms=20&n=3",
    "/stream/sync?events=2&interval_ms=20",
    "/stream/async?events=2&interval_ms=20",
)

CONFIGS: dict[str, tuple[ServerName, dict[str, Any]]] = {
    "gevent": ("wsgi", {"wsgi_worker_class": "gevent", "gevent_greenlets": 100}),
    "granian-wsgi": ("wsgi", {"wsgi_server": "granian", "web_threads": 4}),
    "granian-asgi": ("asgi", {"asgi_server": "granian"}),
}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabSettings]:
    base = LabSettings(lab_var_dir=str(tmp_path_factory.mktemp("var")), upstream_timeout_s=2.0)
    settings = with_free_ports(base, "upstream", "wsgi", "asgi")
    with running("upstream", settings):
        yield settings


@contextlib.contextmanager
def server(name: ServerName, lab: LabSettings, changes: dict[str, Any]) -> Iterator[str]:
    with running(name, dataclasses.replace(lab, **changes)) as url:
        yield url


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            r.read()
            status: int = r.status
            return status
    except urllib.error.HTTPError as e:
        return e.code


def timed(url: str) -> float:
    started = time.perf_counter()
    assert status_of(url) == 200
    return time.perf_counter() - started


Samples = list[tuple[str, dict[str, str], float]]


def scrape(base: str) -> Samples:
    with urllib.request.urlopen(base + "/metrics", timeout=10) as r:
        text = r.read().decode()
    return [
        (s.name, s.labels, s.value)
        for family in text_string_to_metric_families(text)
        for s in family.samples
    ]


def total(samples: Samples, name: str, **want: str) -> float:
    return sum(v for n, labels, v in samples if n == name and want.items() <= labels.items())


@pytest.mark.parametrize("config", CONFIGS)
def test_every_endpoint_answers_and_the_metrics_name_the_server(
    lab: LabSettings, config: str
) -> None:
    name, changes = CONFIGS[config]
    with server(name, lab, changes) as base:
        statuses = {path: status_of(base + path) for path in ENDPOINTS}
        time.sleep(0.35)  # the lag probe's interval, a few times over
        samples = scrape(base)
    assert statuses == dict.fromkeys(ENDPOINTS, 200)
    expected = shape(name, dataclasses.replace(lab, **changes))
    info = [labels for n, labels, _ in samples if n == "lab_server_info"]
    assert info == [
        {
            "server": name,
            "implementation": expected.implementation,
            "worker_class": expected.worker_class,
            "workers": str(expected.workers),
            "threads": str(expected.threads),
            "proxy": "off",
        }
    ]
    requests = "lab_http_request_duration_seconds_count"
    assert total(samples, requests, server=name, route="io_sync") == 1
    assert total(samples, "lab_server_concurrency_limit", server=name) == expected.concurrency
    # The probe twin of each: the loop under ASGI, the hub under gevent, neither otherwise.
    loop_lag = total(samples, "lab_event_loop_lag_seconds_count", server=name)
    hub_lag = total(samples, "lab_gevent_hub_lag_seconds_count", server=name)
    assert (loop_lag > 0, hub_lag > 0) == (name == "asgi", config == "gevent")


GEVENT = CONFIGS["gevent"][1]


def test_gevent_waits_for_slow_io_concurrently_in_sync_views(lab: LabSettings) -> None:
    with server("wsgi", lab, {**GEVENT, "web_workers": 2}) as base:
        burst(base + "/io/sync?delay_ms=0", 4)  # warm up: clients, connections
        took, statuses = burst(base + "/io/sync?delay_ms=200", 40)
    print(f"40 x 200 ms of /io/sync on 2 gevent workers: {took:.2f} s")
    assert statuses == [200] * 40
    # 2 sync workers need 40 x 0.2 / 2 = 4 s; greenlets about one delay (0.6 s on a quiet
    # machine). The bound leaves a shared machine room and still excludes workers' queueing.
    assert took <= 1.5


def test_cpu_in_a_gevent_worker_holds_back_its_other_greenlets(lab: LabSettings) -> None:
    cpu_s = 1.5
    with server("wsgi", lab, {**GEVENT, "web_workers": 1}) as base:
        timed(base + "/cpu/sync?cpu_ms=1")  # calibrate outside the measurement
        before = total(scrape(base), "lab_gevent_hub_lag_seconds_sum")
        worker = threading.Thread(
            target=status_of, args=(base + f"/cpu/sync?cpu_ms={cpu_s * 1000:g}",)
        )
        worker.start()
        try:
            time.sleep(0.2)  # the CPU request has started
            held = timed(base + "/ping")
        finally:
            worker.join()
        time.sleep(0.25)  # the probe records its late wake-up
        lag = total(scrape(base), "lab_gevent_hub_lag_seconds_sum") - before
    print(f"/ping during {cpu_s} s of CPU in one gevent worker: {held:.3f} s; hub lag {lag:.2f} s")
    assert held >= cpu_s / 2  # it waited for the CPU work, as on an event loop
    assert lag >= cpu_s / 2  # and the hub's probe saw the same block


@pytest.mark.parametrize("config", ["granian-wsgi", "granian-asgi"])
def test_granians_workers_metrics_add_up_exactly(lab: LabSettings, config: str) -> None:
    # granian starts its workers itself, as uvicorn does: /metrics must still add up every
    # worker's files in the multiprocess directory `lab serve` prepared.
    name, changes = CONFIGS[config]
    with server(name, lab, {**changes, "web_workers": 2}) as base:
        _, ok = burst(base + "/io/sync?delay_ms=150", 12)
        _, pings = burst(base + "/ping", 25)
        _, bad = burst(base + "/io/sync?delay_ms=-1", 5)
        samples = scrape(base)
    assert (ok, pings, bad) == ([200] * 12, [200] * 25, [400] * 5)
    requests = "lab_http_request_duration_seconds_count"
    assert total(samples, requests, server=name, route="io_sync", status="200") == 12
    assert total(samples, requests, server=name, route="io_sync", status="400") == 5
    assert total(samples, requests, server=name, route="ping") == 25
    assert total(samples, "lab_http_requests_in_flight", route="io_sync") == 0
    assert total(samples, "lab_server_workers", server=name) == 2
