"""`GET /metrics` on the Locust web UI (same port, 8089), for Prometheus and Grafana.

Only the web UI process gets it: a master in distributed mode (it holds the aggregated
stats), or the single local process. Workers have no web UI and export nothing.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from locust.env import Environment
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from loadgen.arguments import DEFAULT_TARGET
from loadgen.locust_metrics import LocustCollector
from loadgen.targets import run_target


def install(environment: Environment) -> None:
    web_ui = environment.web_ui
    if web_ui is None:
        return
    # Own registry: the default one would also export this process's gevent/python internals
    # under names that collide with the servers' when Prometheus scrapes several jobs.
    registry = CollectorRegistry(auto_describe=False)
    options = environment.parsed_options
    registry.register(
        LocustCollector(
            lambda: environment.runner,
            lambda: run_target(
                environment.host, getattr(options, "target", None) or DEFAULT_TARGET
            ),
        )
    )

    app = web_ui.app
    if app is None:
        return

    @app.route("/metrics")
    def metrics() -> Any:
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
