"""The pages: a server-rendered HTML page whose content waits for one upstream call, on both
handlers; the render work adds to it."""

from __future__ import annotations

import re

import pytest
from django_clients import Caller

from contracts.settings import LabSettings

pytestmark = pytest.mark.integration

PAGES = ["/page/sync", "/page/async", "/page/async-blocking"]


def timing(answer_headers: dict[str, str], name: str) -> float:
    m = re.search(rf"{name};dur=([\d.]+)", answer_headers["Server-Timing"])
    assert m, answer_headers["Server-Timing"]
    return float(m[1])


@pytest.mark.parametrize("path", PAGES)
def test_the_page_is_html_built_from_the_upstreams_answer(
    client: Caller, lab: LabSettings, path: str
) -> None:
    answer = client.get(f"{path}?delay_ms=60")
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    page = answer.body.decode()
    assert '<h1 id="headline">' in page
    assert "<svg" in page
    assert "<script" not in page  # painted from the server's HTML alone
    assert f"the {client.server.upper()} server" in page
    assert "60.0 ms" in page  # the delay the upstream drew
    assert timing(answer.headers, "upstream") >= 60


@pytest.mark.parametrize("path", PAGES)
def test_render_work_adds_to_the_apps_time(client: Caller, lab: LabSettings, path: str) -> None:
    answer = client.get(f"{path}?delay_ms=0&cpu_ms=120")
    assert answer.status == 200
    # About 120 ms of CPU; half of it is a margin no calibration error crosses.
    assert timing(answer.headers, "app") - timing(answer.headers, "upstream") >= 60


def test_a_delay_left_out_is_the_upstreams(client: Caller, lab: LabSettings) -> None:
    answer = client.get("/page/sync")
    assert answer.status == 200
    assert "(asked: the upstream" in answer.body.decode()
