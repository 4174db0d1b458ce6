"""The services of the lab, once: name, compose service, port setting (and so its default and
container port), health path, description. `lab up` runs the local ones as processes, compose
runs the same `lab serve NAME` commands in containers; the Prometheus targets, the printed
URLs and the compose checks all derive from this table. Beside the services, SCRAPE_ONLY lists
what Prometheus scrapes but no one runs as a service (`lab exercise run`'s phase gauge).

With the proxy on (LAB_PROXY=nginx), nginx takes the two servers' ports, so the URLs users
and Locust know go through it, and the servers move to their backend ports (local mode; in
compose each container keeps its port, and nginx reaches the servers by name)."""

from __future__ import annotations

import dataclasses
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
    # A server the proxy can stand in front of: where it listens then (its port is the proxy's).
    backend_port_setting: str | None = None
    # The proxy: the servers it stands in front of, on their ports (port_setting is the first
    # one's, where its health is checked, through to that server). Runs only when LAB_PROXY is on.
    fronts: tuple[str, ...] = ()
    # Serves /metrics for Prometheus.
    scraped: bool = True

    def port(self, settings: LabSettings) -> int:
        """The port users and Locust call: the proxy's, when it stands in front."""
        port = getattr(settings, self.port_setting)
        assert isinstance(port, int)
        return port

    def runs(self, settings: LabSettings) -> bool:
        """Part of the lab under these settings: the proxy only when it is on."""
        return settings.proxy_on or not self.fronts

    def behind_proxy(self, settings: LabSettings) -> bool:
        return settings.proxy_on and self.backend_port_setting is not None

    def listen_port(self, settings: LabSettings) -> int:
        """Where the process itself listens: a server behind the proxy, on its backend port."""
        if self.behind_proxy(settings):
            assert self.backend_port_setting is not None
            port = getattr(settings, self.backend_port_setting)
            assert isinstance(port, int)
            return port
        return self.port(settings)

    def listen_ports(self, settings: LabSettings) -> tuple[int, ...]:
        """Every port the process takes: the proxy takes each of its servers' ports."""
        if self.fronts:
            return tuple(BY_NAME[name].port(settings) for name in self.fronts)
        return (self.listen_port(settings),)

    def own_url(self, settings: LabSettings) -> str:
        """Where the process itself answers (health checks and /metrics: never the proxy)."""
        return settings.url(self.listen_port(settings))

    def started_with(self, settings: LabSettings) -> LabSettings:
        """The settings `lab serve` is started with. It listens on the port setting, in a
        container too; behind the proxy, that setting is given the backend port."""
        if not self.behind_proxy(settings):
            return settings
        changes = {self.port_setting: self.listen_port(settings)}
        return dataclasses.replace(settings, **changes)  # type: ignore[arg-type]

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
WSGI = Service(
    "wsgi",
    "django-wsgi",
    "wsgi_port",
    "/healthz",
    "Django on gunicorn (WSGI)",
    backend_port_setting="wsgi_backend_port",
)
ASGI = Service(
    "asgi",
    "django-asgi",
    "asgi_port",
    "/healthz",
    "Django on uvicorn (ASGI)",
    backend_port_setting="asgi_backend_port",
)
NGINX = Service(
    "nginx",
    "nginx",
    "wsgi_port",
    "/healthz",
    "nginx: the buffering reverse proxy in front of both servers",
    needs_binary="nginx",
    fronts=("wsgi", "asgi"),
    scraped=False,
)
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
ALL: tuple[Service, ...] = (UPSTREAM, WSGI, ASGI, NGINX, LOCUST, PROMETHEUS, GRAFANA)
# The ones `lab up` runs as local processes (those that run under the settings: `runs`).
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
