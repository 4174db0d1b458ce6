"""`lab_exercise_phase{exercise, phase}` = 1 while a phase's measured window runs (warm-up
excluded), served on `/metrics` by the `lab exercise run` process itself on
EXERCISE_METRICS_PORT. Prometheus scrapes it as the job `exercise` (lab/prometheus.py), and
the Sync vs Async dashboard's "Exercise phase" annotation draws it.

Scraped, not pushed: when the run ends, or is killed, the target goes down and the series
goes stale at once; a pushed "running" value would outlive it. The registry is its own, so
the endpoint shows the phase and nothing else of the process.
"""

from __future__ import annotations

import contextlib
import socket
import sys
from collections.abc import Iterator, Mapping
from typing import IO, Any

import psutil
from prometheus_client import CollectorRegistry, Gauge, start_http_server

from contracts.settings import LabSettings

REGISTRY = CollectorRegistry(auto_describe=True)
PHASE = Gauge(
    "lab_exercise_phase",
    "1 while the phase's measured window runs; absent between phases",
    ["exercise", "phase"],
    registry=REGISTRY,
)


@contextlib.contextmanager
def measuring(exercise: str, phase: str) -> Iterator[None]:
    """The gauge is 1 for this phase until the block ends, however it ends."""
    PHASE.labels(exercise=exercise, phase=phase).set(1)
    try:
        yield
    finally:
        # Removed, not set to 0: "absent between phases" is the contract (docs/metrics.md).
        PHASE.remove(exercise, phase)


# Docker's default bridge: `host.docker.internal:host-gateway` is this address on Linux, so a
# compose stack's Prometheus reaches the gauge there. Only local containers can reach it.
DOCKER_BRIDGE = "docker0"


def bridge_addresses(interfaces: Mapping[str, list[Any]] | None = None) -> list[str]:
    """The IPv4 addresses of Docker's bridge on this machine (none without Docker)."""
    interfaces = psutil.net_if_addrs() if interfaces is None else interfaces
    return [a.address for a in interfaces.get(DOCKER_BRIDGE, []) if a.family == socket.AF_INET]


@contextlib.contextmanager
def served(
    settings: LabSettings, err: IO[str] = sys.stderr, bridges: list[str] | None = None
) -> Iterator[str | None]:
    """Serve the gauge on LAB_HOST:EXERCISE_METRICS_PORT, and on Docker's bridge where there
    is one (for the compose stack's Prometheus), until the block ends; yields its URL. When the
    port cannot be had (another run is serving it), one line on `err` and None: the
    measurement itself does not need the gauge, only the dashboard does."""
    port = settings.exercise_metrics_port
    try:
        servers = [start_http_server(port, addr=settings.lab_host, registry=REGISTRY)]
    except OSError as e:
        print(
            f"lab exercise run: cannot serve the phase gauge on port {port} "
            f"(EXERCISE_METRICS_PORT): {e.strerror or e}; running without it",
            file=err,
        )
        yield None
        return
    if settings.lab_host not in ("0.0.0.0", ""):
        for address in bridge_addresses() if bridges is None else bridges:
            # Without it only a compose Prometheus misses the annotation; the run goes on.
            with contextlib.suppress(OSError):
                servers.append(start_http_server(port, addr=address, registry=REGISTRY))
    try:
        yield settings.url(port) + "/metrics"
    finally:
        for server, thread in servers:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
