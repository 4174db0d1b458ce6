"""LAB_INSTRUMENTATION on the real servers: off, they still answer /ping, /io/async and
/healthz, and their /metrics carries no request or upstream series; on, it does."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import httpx
import pytest

from contracts.settings import LabSettings
from lab.runner import running, with_free_ports

pytestmark = pytest.mark.integration

# Series the instrumentation writes for each request (the middleware) and upstream call.
PER_REQUEST = (
    "lab_http_request_duration_seconds_count",
    "lab_upstream_request_duration_seconds_count",
)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabSettings]:
    base = LabSettings(lab_var_dir=str(tmp_path_factory.mktemp("var")), web_workers=1)
    settings = with_free_ports(base, "upstream", "wsgi", "asgi")
    with running("upstream", settings):
        yield settings


@pytest.mark.parametrize("server", ["wsgi", "asgi"])
@pytest.mark.parametrize("instrumentation", ["on", "off"])
def test_the_switch_takes_the_per_request_metrics_away(
    lab: LabSettings, server: str, instrumentation: str
) -> None:
    settings = dataclasses.replace(lab, lab_instrumentation=instrumentation)  # type: ignore[arg-type]
    with running(server, settings) as url, httpx.Client(base_url=url, timeout=10) as client:
        health = client.get("/healthz").json()
        assert health["settings"]["lab_instrumentation"] == instrumentation
        ping = client.get("/ping")
        io = client.get("/io/async", params={"delay_ms": 10})
        assert (ping.status_code, io.status_code) == (200, 200)
        assert io.json()["server"] == server
        metrics = client.get("/metrics")
        assert metrics.status_code == 200
    on = instrumentation == "on"
    for name in PER_REQUEST:
        assert (name in metrics.text) is on, f"{name} with LAB_INSTRUMENTATION={instrumentation}"
    assert ("Server-Timing" in io.headers) is on
