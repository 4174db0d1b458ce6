"""The middleware's counts on both handlers: exact, labelled by server, route and status."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import iscoroutinefunction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.test import AsyncClient, Client
from django_clients import Caller, sync_stream_warning
from prometheus_client import REGISTRY

from contracts.settings import LabSettings
from django_app.observability.middleware import ObservabilityMiddleware, route_of


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_requests_are_counted_exactly_with_their_labels(client: Caller) -> None:
    s = client.server
    ok = {"server": s, "route": "ping", "method": "GET", "status": "200"}
    bad = {"server": s, "route": "io_sync", "method": "GET", "status": "400"}
    lost = {"server": s, "route": "unmatched", "method": "GET", "status": "404"}
    before = [value("lab_http_request_duration_seconds_count", **x) for x in (ok, bad, lost)]
    # The latency histogram carries the same labels as the counter.
    hist_before = [value("lab_http_request_duration_seconds_count", **x) for x in (ok, bad, lost)]
    for _ in range(3):
        client.get("/ping")
    client.get("/io/sync?delay_ms=-1")
    client.get("/nowhere")
    after = [value("lab_http_request_duration_seconds_count", **x) for x in (ok, bad, lost)]
    assert [a - b for a, b in zip(after, before, strict=True)] == [3, 1, 1]
    hist_after = [value("lab_http_request_duration_seconds_count", **x) for x in (ok, bad, lost)]
    assert [a - b for a, b in zip(hist_after, hist_before, strict=True)] == [3, 1, 1]
    assert value("lab_http_requests_in_flight", server=s, route="ping", method="GET") == 0


def test_latency_covers_the_view(client: Caller) -> None:
    s = client.server
    labels = {"server": s, "route": "db_sync", "method": "GET", "status": "200"}
    before = value("lab_http_request_duration_seconds_sum", **labels)
    client.get("/db/sync?delay_ms=100")  # a view that waits 100 ms, with no upstream
    assert value("lab_http_request_duration_seconds_sum", **labels) - before >= 0.1


def test_server_info_describes_the_configured_server(client: Caller) -> None:
    client.get("/ping")
    s = client.server
    assert value("lab_server_workers", server=s) >= 1
    assert value("lab_server_threads_per_worker", server=s) >= 1
    assert value("lab_server_concurrency_limit", server=s) >= 1
    assert value("lab_process_threads", server=s) >= 1
    info = [
        sample.labels
        for family in REGISTRY.collect()
        for sample in family.samples
        if sample.name == "lab_server_info" and sample.labels["server"] == s
    ]
    assert info
    assert {labels["proxy"] for labels in info} == {"off"}  # no proxy in front here


def test_event_loop_lag_is_probed_under_asgi_only(client: Caller) -> None:
    import time

    before = value("lab_event_loop_lag_seconds_count", server=client.server)
    client.get("/ping")

    async def idle() -> None:
        import asyncio

        await asyncio.sleep(0.35)

    client.runner.run(idle())
    time.sleep(0)
    grew = value("lab_event_loop_lag_seconds_count", server=client.server) - before
    assert grew >= 2 if client.server == "asgi" else grew == 0


def test_route_is_the_url_name() -> None:
    assert route_of("/io/sync-to-async") == "io_sync_to_async"
    assert route_of("/io/sync/") == "unmatched"


def test_middleware_takes_the_mode_of_the_handler_without_an_adapter() -> None:
    async def async_view(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    def sync_view(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    assert iscoroutinefunction(ObservabilityMiddleware(async_view))
    assert not iscoroutinefunction(ObservabilityMiddleware(sync_view))


@pytest.mark.parametrize("route", ["stream_sync", "stream_async"])
@pytest.mark.parametrize("server", ["wsgi", "asgi"])
def test_a_stream_is_in_flight_until_its_body_is_sent(
    server: str, route: str, loop_runner: asyncio.Runner, lab: LabSettings
) -> None:
    path = "/" + route.replace("_", "/") + "?events=3&interval_ms=0"
    labels = {"server": server, "route": route, "method": "GET"}
    before = value("lab_http_requests_in_flight", **labels)
    if server == "wsgi":
        response = Client().get(path)
        # The view has returned and the request is counted as answered; its body is not sent.
        assert value("lab_http_requests_in_flight", **labels) == before + 1
        body = b"".join(response)  # the test client closes the response after the last part
    else:

        async def read() -> bytes:
            response = await AsyncClient().get(path)
            assert isinstance(response, StreamingHttpResponse)
            assert value("lab_http_requests_in_flight", **labels) == before + 1
            return b"".join([part async for part in response])

        with sync_stream_warning(server, path):
            body = loop_runner.run(read())
    assert body.count(b"event: tick") == 3
    assert value("lab_http_requests_in_flight", **labels) == before


@pytest.mark.parametrize("server", ["wsgi", "asgi"])
def test_a_stream_closed_before_its_first_part_leaves_flight(
    server: str, loop_runner: asyncio.Runner, lab: LabSettings
) -> None:
    # What a server does when the client is gone before the first event: close, unread.
    labels = {"server": server, "route": "stream_async", "method": "GET"}
    before = value("lab_http_requests_in_flight", **labels)
    path = "/stream/async?events=3&interval_ms=0"
    asgi = server == "asgi"
    response = loop_runner.run(AsyncClient().get(path)) if asgi else Client().get(path)
    assert value("lab_http_requests_in_flight", **labels) == before + 1
    response.close()
    assert value("lab_http_requests_in_flight", **labels) == before
