"""The services of the lab, once. `lab up` runs them as local processes; compose runs the
same `lab serve NAME` commands in containers (a test keeps the two in agreement)."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.settings import LabSettings


@dataclass(frozen=True)
class Service:
    name: str
    port_setting: str  # the LabSettings field holding its port
    health_path: str
    description: str
    # A binary that must be on PATH; without it `lab up` skips the service with a note.
    needs_binary: str | None = None

    def port(self, settings: LabSettings) -> int:
        port = getattr(settings, self.port_setting)
        assert isinstance(port, int)
        return port

    def url(self, settings: LabSettings) -> str:
        return settings.url(self.port(settings))


UPSTREAM = Service("upstream", "upstream_port", "/healthz", "slow external API (FastAPI)")
WSGI = Service("wsgi", "wsgi_port", "/healthz", "Django on gunicorn (WSGI)")
ASGI = Service("asgi", "asgi_port", "/healthz", "Django on uvicorn (ASGI)")
LOCUST = Service("locust", "locust_web_port", "/", "Locust web UI and /metrics (load generator)")
PROMETHEUS = Service(
    "prometheus",
    "prometheus_port",
    "/-/ready",
    "Prometheus: scrapes every service, records the RED and capacity rules",
    needs_binary="prometheus",
)

# In start order: whatever a service calls comes before it.
SERVICES: tuple[Service, ...] = (UPSTREAM, WSGI, ASGI, LOCUST, PROMETHEUS)
BY_NAME = {s.name: s for s in SERVICES}

# Processes `lab serve` runs that are not services of their own (no port, no health check):
# `lab up` starts LOCUST_WORKERS of them once the Locust master is healthy.
HELPERS: tuple[str, ...] = ("locust-worker",)
