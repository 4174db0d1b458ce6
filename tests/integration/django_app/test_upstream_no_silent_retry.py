"""An upstream that hangs and then closes the connection is a 502, reported once: the Django
side never re-sends the call behind the user's back (aiohttp retries a GET once on a reused
connection the server closed, which turned a hang into a slow 200)."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from contracts.settings import LabSettings
from lab.runner import running, with_free_ports

pytestmark = pytest.mark.integration


@pytest.fixture
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    base = LabSettings(
        lab_var_dir=str(tmp_path_factory.mktemp("var")), web_workers=1, upstream_timeout_s=10.0
    )
    settings = with_free_ports(base, "upstream", "asgi")
    with running("upstream", settings) as upstream, running("asgi", settings) as asgi:
        yield upstream, asgi


def put_config(upstream: str, body: dict[str, object]) -> None:
    req = urllib.request.Request(
        upstream + "/config",
        data=json.dumps(body).encode(),
        method="PUT",
        headers={"content-type": "application/json"},
    )
    urllib.request.urlopen(req, timeout=10).close()


def hangs_injected(upstream: str) -> float:
    with urllib.request.urlopen(upstream + "/metrics", timeout=10) as r:
        text = r.read().decode()
    match = re.search(r'^upstream_faults_injected_total\{fault="hang"\} (\S+)$', text, re.M)
    return float(match[1]) if match else 0.0


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return int(r.status)
    except urllib.error.HTTPError as e:
        return e.code


def test_a_hang_that_ends_in_a_close_is_one_call_and_a_502(lab: tuple[str, str]) -> None:
    upstream, asgi = lab
    # A first call leaves a kept-alive connection in the async client's pool: the retry that
    # aiohttp makes applies only to a reused connection.
    assert status_of(asgi + "/io/async?delay_ms=0") == 200
    put_config(upstream, {"hang_rate": 1, "hang_ms": 500})
    before = hangs_injected(upstream)
    assert status_of(asgi + "/io/async") == 502
    assert hangs_injected(upstream) - before == 1
