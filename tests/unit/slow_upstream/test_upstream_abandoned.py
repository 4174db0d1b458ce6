"""A caller that hung up before the answer: seen on the server's transport, counted apart."""

import asyncio
import socket
from typing import Any

from prometheus_client import REGISTRY
from upstream_client import InProcessClient

from slow_upstream.connection import gone


class Cycle:
    """What `gone` reads, as uvicorn lays it out: `send` is a bound method of an object that
    holds the connection's transport (here a real one, on a socket pair)."""

    def __init__(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    async def send(self, message: Any) -> None:
        pass


async def _gone_before_and_after_the_peer_closes() -> tuple[bool, bool]:
    ours, theirs = socket.socketpair()
    lost = asyncio.Event()

    class Protocol(asyncio.Protocol):
        def connection_lost(self, exc: Exception | None) -> None:
            lost.set()

    transport, _ = await asyncio.get_running_loop().connect_accepted_socket(Protocol, ours)
    cycle = Cycle(transport)
    before = gone(cycle.send)
    theirs.close()
    await asyncio.wait_for(lost.wait(), 5)
    return before, gone(cycle.send)


def test_gone_once_the_caller_closes_its_end() -> None:
    assert asyncio.run(_gone_before_and_after_the_peer_closes()) == (False, True)


def test_a_server_that_hides_its_transport_never_counts_a_caller_gone() -> None:
    async def send(message: Any) -> None:
        pass

    assert gone(send) is False


def abandoned() -> float:
    return REGISTRY.get_sample_value("upstream_requests_abandoned_total") or 0.0


def test_a_caller_that_waits_is_not_counted_abandoned() -> None:
    before = abandoned()
    assert InProcessClient().get("/slow", params={"delay_ms": 1}).status_code == 200
    assert abandoned() == before
