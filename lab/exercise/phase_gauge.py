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
import sys
import threading
from collections.abc import Iterator
from typing import IO
from wsgiref.simple_server import WSGIServer

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


@contextlib.contextmanager
def served(settings: LabSettings, err: IO[str] = sys.stderr) -> Iterator[str | None]:
    """Serve the gauge on LAB_HOST:EXERCISE_METRICS_PORT until the block ends; yields its
    URL. When the port cannot be had (another run is serving it), one line on `err` and
    None: the measurement itself does not need the gauge, only the dashboard does."""
    port = settings.exercise_metrics_port
    started: tuple[WSGIServer, threading.Thread] | None
    try:
        started = start_http_server(port, addr=settings.lab_host, registry=REGISTRY)
    except OSError as e:
        print(
            f"lab exercise run: cannot serve the phase gauge on port {port} "
            f"(EXERCISE_METRICS_PORT): {e.strerror or e}; running without it",
            file=err,
        )
        started = None
    if started is None:
        yield None
        return
    server, thread = started
    try:
        yield settings.url(port) + "/metrics"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
