"""Locust's web UI as `lab serve locust` runs it answers only the lab's own host names, and a
web page elsewhere can neither start a swarm nor read the UI's answers."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from loadgen_lab import Lab

from lab import runner

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def web_ui(lab: Lab) -> Iterator[str]:
    with runner.running("locust", lab.settings) as url:
        yield url


def call(
    url: str, headers: dict[str, str], data: bytes | None = None
) -> tuple[int, dict[str, str], str]:
    req = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


# A start the knob check refuses: proves a request got past the origin guard without load.
BAD_START = urllib.parse.urlencode({"user_count": 1, "spawn_rate": 1, "cpu_ms": "-1"}).encode()


def test_a_cross_site_start_is_refused(web_ui: str) -> None:
    status, _, body = call(web_ui + "/swarm", {"Origin": "http://evil.example"}, BAD_START)
    assert status == 403
    assert "cross-origin POST refused" in body


def test_the_ui_own_origin_may_start(web_ui: str) -> None:
    status, _, body = call(web_ui + "/swarm", {"Origin": web_ui}, BAD_START)
    assert status == 200
    assert "Not started: cpu_ms" in body  # the knob check answered, not the origin guard


def test_a_foreign_host_name_is_refused(web_ui: str) -> None:
    port = urllib.parse.urlsplit(web_ui).port
    status, _, body = call(web_ui + "/", {"Host": f"evil.example:{port}"})
    assert status == 400
    assert "LAB_ALLOWED_HOSTS" in body


def test_no_cross_origin_reads_are_allowed(web_ui: str) -> None:
    status, headers, _ = call(web_ui + "/stats/requests", {"Origin": "http://evil.example"})
    assert status == 200
    assert not any(name.lower().startswith("access-control-") for name in headers)
