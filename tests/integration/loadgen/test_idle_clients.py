"""Slow clients against the real servers: two connections that send nothing, or trickle a
request they never finish, hold both of gunicorn's sync workers (a bystander /ping waits)
until the worker timeout kills them; they reopen, and once they are let go /ping answers
again. The event loop of uvicorn serves /ping beside them. The gunicorn timeout is 4 s here,
so the freeze is bounded by it, not by the 130 s default."""

import asyncio
import dataclasses
import time
import urllib.request
from collections.abc import Iterator

import pytest

from contracts.settings import LabSettings
from lab.runner import running, with_free_ports
from loadgen.idle import IdleResult, hold

pytestmark = pytest.mark.integration

TIMEOUT_S = 4  # GUNICORN_TIMEOUT_S: short, yet longer than a worker takes to boot here
# A /ping takes milliseconds; a shared machine can stretch that, never to a worker timeout.
PING_TIMEOUT_S = 1.5


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> LabSettings:
    base = LabSettings(lab_var_dir=str(tmp_path_factory.mktemp("var")))
    return dataclasses.replace(
        with_free_ports(base, "wsgi", "asgi"),
        wsgi_worker_class="sync",
        web_workers=2,
        gunicorn_timeout_s=TIMEOUT_S,
    )


@pytest.fixture(scope="module")
def gunicorn(settings: LabSettings) -> Iterator[str]:
    with running("wsgi", settings) as url:
        yield url


def ping_s(url: str, timeout_s: float) -> float | None:
    """Seconds /ping took, or None when it did not answer within `timeout_s`."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url + "/ping", timeout=timeout_s) as r:
            r.read()
    except TimeoutError:
        return None
    return time.monotonic() - started


async def held_while_pinging(
    url: str, seconds: float, *, trickle: bool
) -> tuple[IdleResult, float | None]:
    """Hold two connections for `seconds`; half a second in, /ping with a PING_TIMEOUT_S."""
    holding = asyncio.create_task(hold(url + "/ping", 2, seconds, trickle=trickle))
    await asyncio.sleep(0.5)
    ping = await asyncio.to_thread(ping_s, url, PING_TIMEOUT_S)
    return await holding, ping


@pytest.mark.parametrize("trickle", [False, True], ids=["idle", "trickle"])
def test_two_slow_clients_hold_both_sync_workers_until_the_timeout(
    gunicorn: str, trickle: bool
) -> None:
    assert ping_s(gunicorn, 15.0) is not None  # a free server answers (once booted)
    seconds = TIMEOUT_S + 3.5
    result, ping = asyncio.run(held_while_pinging(gunicorn, seconds, trickle=trickle))

    assert ping is None, f"/ping answered in {ping} s beside two slow clients"
    assert result.errors == {}
    # The arbiter killed the silent workers (closing the connections), and they reopened.
    assert result.closed_by_server >= 2, result.as_dict()
    assert result.opened >= 4, result.as_dict()
    assert (result.bytes_sent > 0) == trickle
    # Let go, the workers (or the ones that replaced them, once booted) serve again.
    assert ping_s(gunicorn, 15.0) is not None


def test_the_event_loop_serves_beside_slow_clients(settings: LabSettings) -> None:
    with running("asgi", settings) as uvicorn:
        result, ping = asyncio.run(held_while_pinging(uvicorn, 2.0, trickle=False))
    assert ping is not None, "/ping timed out on the event loop beside two idle connections"
    assert result.opened >= 2
    assert result.errors == {}


def test_a_refused_connection_is_an_error_not_a_hang() -> None:
    from lab.runner import free_port

    started = time.monotonic()
    result = asyncio.run(hold(f"http://127.0.0.1:{free_port()}/", 2, 0.5))
    assert time.monotonic() - started < 2
    assert result.opened == 0
    assert sum(result.errors.values()) >= 2
