"""Who sets the upstream delay: the request when it names one, else the upstream's live
configuration (PUT /config), on both servers and every upstream-calling endpoint."""

from __future__ import annotations

import dataclasses
import json
import urllib.request
from collections.abc import Iterator

import pytest

from contracts.settings import LabSettings
from lab.runner import running, with_free_ports

pytestmark = pytest.mark.integration

CONFIGURED_MS = 350.0


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    base = LabSettings(lab_var_dir=str(tmp_path_factory.mktemp("var")), web_workers=1)
    lab = with_free_ports(base, "upstream", "wsgi", "asgi")
    with (
        running("upstream", lab) as upstream,
        running("wsgi", dataclasses.replace(lab)) as wsgi,
        running("asgi", dataclasses.replace(lab)) as asgi,
    ):
        put = urllib.request.Request(
            upstream + "/config",
            data=json.dumps({"delay_ms": CONFIGURED_MS}).encode(),
            method="PUT",
            headers={"content-type": "application/json"},
        )
        urllib.request.urlopen(put, timeout=10).close()
        yield {"wsgi": wsgi, "asgi": asgi, "upstream": upstream}


def get(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=30) as r:
        answer: dict[str, object] = json.loads(r.read())
        return answer


def upstream_delay(answer: dict[str, object]) -> object:
    upstream = answer["upstream"]
    assert isinstance(upstream, dict)
    return upstream["delay_ms"]


IO = ["/io/sync", "/io/async", "/io/async-blocking", "/io/sync-to-async"]


@pytest.mark.parametrize("path", IO)
@pytest.mark.parametrize("server", ["wsgi", "asgi"])
def test_without_delay_ms_the_upstreams_live_configuration_applies(
    servers: dict[str, str], server: str, path: str
) -> None:
    answer = get(servers[server] + path)
    assert answer["delay_ms"] is None
    assert upstream_delay(answer) == CONFIGURED_MS


@pytest.mark.parametrize("path", IO)
def test_a_delay_the_request_names_wins(servers: dict[str, str], path: str) -> None:
    answer = get(servers["asgi"] + path + "?delay_ms=5")
    assert answer["delay_ms"] == 5
    assert upstream_delay(answer) == 5.0


@pytest.mark.parametrize("server", ["wsgi", "asgi"])
@pytest.mark.parametrize("kind", ["sync", "async"])
def test_fanout_without_delay_waits_the_configured_delay(
    servers: dict[str, str], server: str, kind: str
) -> None:
    answer = get(servers[server] + f"/fanout/{kind}?n=3")
    assert answer["delay_ms"] is None
    elapsed = answer["elapsed_ms"]
    assert isinstance(elapsed, float)
    # Three calls of the configured delay, in parallel: never shorter than one of them.
    assert elapsed >= CONFIGURED_MS


def test_the_db_endpoints_keep_their_own_default(servers: dict[str, str]) -> None:
    assert get(servers["asgi"] + "/db/async")["delay_ms"] == 200
