"""The services of the lab, once: name, compose service, port setting (and so its default and
container port), health path, description. `lab up` runs the local ones as processes, compose
runs the same `lab serve NAME` commands in containers; the Prometheus targets, the printed
URLs and the compose checks all derive from this table. Beside the services, SCRAPE_ONLY lists
what Prometheus scrapes but no one runs as a service (`lab exercise run`'s phase gauge)."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.settings import LabSettings


@dataclass(frozen=True)
class Service:
    name: str
    compose_name: str  # the docker-compose.yml service that runs it
    port_setting: str  # the LabSettings field holding its port
    health_path: str
    description: str
    # A binary that must be on PATH; without it `lab up` skips the service with a note.
    needs_binary: str | None = None
    # False: only the compose stack runs it (Grafana cannot run as a local process here).
    local: bool = True

    def port(self, settings: LabSettings) -> int:
        port = getattr(settings, self.port_setting)
        assert isinstance(port, int)
        return port

    @property
    def port_variable(self) -> str:
        return self.port_setting.upper()

    @property
    def container_port(self) -> int:
        """Inside a container a service listens on its default port; only the published
        (host) side follows the setting."""
        return self.port(_DEFAULTS)

    def url(self, settings: LabSettings) -> str:
        return settings.url(self.port(settings))


_DEFAULTS = LabSettings()

UPSTREAM = Service(
    "upstream", "upstream", "upstream_port", "/healthz", "slow external API (FastAPI)"
)
WSGI = Service("wsgi", "django-wsgi", "wsgi_port", "/healthz", "Django on gunicorn (WSGI)")
ASGI = Service("asgi", "django-asgi", "asgi_port", "/healthz", "Django on uvicorn (ASGI)")
LOCUST = Service(
    "locust",
    "locust-master",
    "locust_web_port",
    "/",
    "Locust web UI and /metrics (load generator)",
)
PROMETHEUS = Service(
    "prometheus",
    "prometheus",
    "prometheus_port",
    "/-/ready",
    "Prometheus: scrapes every service, records the RED and capacity rules",
    needs_binary="prometheus",
)
GRAFANA = Service(
    "grafana",
    "grafana",
    "grafana_port",
    "/api/health",
    "Grafana: the dashboards (anonymous Viewer)",
    local=False,
)

# Every service with a port, in start order: whatever a service calls comes before it.
ALL: tuple[Service, ...] = (UPSTREAM, WSGI, ASGI, LOCUST, PROMETHEUS, GRAFANA)
# The ones `lab up` runs as local processes (and Prometheus scrapes: each has /metrics).
SERVICES: tuple[Service, ...] = tuple(s for s in ALL if s.local)
BY_NAME = {s.name: s for s in SERVICES}

# Processes `lab serve` runs that are not services of their own (no port, no health check):
# `lab up` starts LOCUST_WORKERS of them once the Locust master is healthy.
PORTLESS_PROCESSES: tuple[str, ...] = ("locust-worker",)


@dataclass(frozen=True)
class ScrapeTarget:
    """A /metrics endpoint Prometheus scrapes that is no service: a command the user runs now
    and then, on the host. `lab up` and compose do not start it and nothing health-checks
    it; between runs Prometheus finds it down (`up` 0), which is no fault."""

    name: str  # the Prometheus job, and its `service` label
    port_setting: str  # the LabSettings field holding its port
    # How compose's Prometheus reaches the host (its container maps the name to the host's
    # gateway); it scrapes the default port, as a committed config cannot follow .env.
    compose_host: str
    description: str

    def port(self, settings: LabSettings) -> int:
        port = getattr(settings, self.port_setting)
        assert isinstance(port, int)
        return port

    @property
    def default_port(self) -> int:
        return self.port(_DEFAULTS)


EXERCISE = ScrapeTarget(
    "exercise",
    "exercise_metrics_port",
    "host.docker.internal",
    "`lab exercise run`: lab_exercise_phase while a phase is measured",
)
SCRAPE_ONLY: tuple[ScrapeTarget, ...] = (EXERCISE,)
