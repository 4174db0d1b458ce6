"""The lab's knobs: one typed object read from the environment.

Every name here is also in `.env.example` (a test keeps the two equal), and compose reads
the same names, so a port or a worker count is typed once.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Literal, get_args

from contracts.params import MAX_REQUEST_MS
from contracts.paths import var_dir
from contracts.values import BadValue, parse_flag, parse_integer, parse_number

# Timeouts the lab accepts anywhere (UPSTREAM_TIMEOUT_S, `lab load --timeout`): (0, 600] s.
MAX_TIMEOUT_S = 600.0
MAX_LOCUST_WORKERS = 32
# GUNICORN_TIMEOUT_S: 0 derives it from the longest request (below); else 1 s to an hour.
MAX_GUNICORN_TIMEOUT_S = 3600
# `lab load`: requests outstanding at once before arrivals are dropped.
DEFAULT_MAX_IN_FLIGHT = 10_000

WsgiServer = Literal["gunicorn", "granian"]
# gunicorn's worker classes (WSGI_SERVER=gunicorn); granian runs its own threads.
WsgiWorkerClass = Literal["sync", "gthread", "gevent"]
AsgiServer = Literal["uvicorn", "gunicorn", "granian"]
AsyncClientName = Literal["aiohttp", "httpx"]
# The Django middleware chain: the lab's own two (sync- and async-capable), plus a sync-only
# no-op (`sync-only`), or plus the stack `django-admin startproject` writes (`django`).
MiddlewareStack = Literal["lab", "sync-only", "django"]
Proxy = Literal["off", "nginx"]
Instrumentation = Literal["on", "off"]


class SettingsError(ValueError):
    """A knob has a value the lab cannot use; the message names the variable."""


@dataclass(frozen=True)
class LabSettings:
    # Where services listen. 127.0.0.1 locally; containers set 0.0.0.0.
    lab_host: str = "127.0.0.1"
    # Host names the servers accept besides loopback and the compose service names
    # (comma-separated): what a remote load worker or another machine calls them.
    lab_allowed_hosts: str = ""
    # Empty: every port stays on 127.0.0.1. An address (or 0.0.0.0, every interface): compose
    # also publishes the two servers' ports and the Locust master's there, for load workers on
    # other machines (docker-compose.remote.yml), and the services accept it as a host name.
    lab_publish_host: str = ""
    upstream_port: int = 8080
    wsgi_port: int = 8001
    asgi_port: int = 8002
    locust_web_port: int = 8089
    prometheus_port: int = 9090
    grafana_port: int = 3000
    # Where the two servers listen when the proxy is on (LAB_PROXY): it takes WSGI_PORT and
    # ASGI_PORT, so every URL users and Locust know goes through it. Local mode only: in
    # compose every container keeps its default port.
    wsgi_backend_port: int = 18001
    asgi_backend_port: int = 18002
    # `lab exercise run` serves lab_exercise_phase here while it runs, for Prometheus's job
    # `exercise`. Compose's Prometheus scrapes the default on the host (docs/metrics.md).
    exercise_metrics_port: int = 9646
    # How the Django app reaches the slow upstream. Unset (or empty), from_env derives it from
    # LAB_HOST and UPSTREAM_PORT, so moving the upstream's port does not strand the app; this
    # default is what that gives for the default port. Compose sets it (service name).
    upstream_url: str = "http://127.0.0.1:8080"
    upstream_timeout_s: float = 35.0
    upstream_pool_size: int = 1000
    async_http_client: AsyncClientName = "aiohttp"
    middleware_stack: MiddlewareStack = "lab"
    # Whether the ASGI server keeps django.db's request_started receivers. Under ASGI they run
    # on a thread each request starts for them, which lives until the request ends, and they
    # find nothing to do there (django_app/request_signals.py says why).
    asgi_db_request_started: bool = True
    # Equal defaults on both servers, so the comparison is fair.
    web_workers: int = 2
    web_threads: int = 1
    wsgi_server: WsgiServer = "gunicorn"
    wsgi_worker_class: WsgiWorkerClass = "sync"
    asgi_server: AsgiServer = "uvicorn"
    # Greenlets per gevent worker (WSGI_WORKER_CLASS=gevent): gunicorn's --worker-connections,
    # its default. Not WEB_THREADS, whose default 1 would make a gevent worker a sync one.
    gevent_greenlets: int = 1000
    # Threads of granian's Rust runtime per worker (accepting, parsing, writing): granian's
    # --runtime-threads. Its blocking threads (what runs the Python app) are WEB_THREADS
    # under WSGI and 1 under ASGI, the only value granian accepts there.
    granian_runtime_threads: int = 1
    # Seconds a gunicorn worker may go without reporting to its arbiter (busy on one request,
    # or waiting for one to arrive) before the arbiter kills it. 0: above the longest request
    # the app allows (gunicorn_worker_timeout_s), so no legitimate request is ever cut.
    gunicorn_timeout_s: int = 0
    # A buffering reverse proxy in front of both servers, the same for both: off (the lab
    # measures the servers themselves) or nginx (what a production server has in front).
    lab_proxy: Proxy = "off"
    # The lab's own instrumentation in both servers: the metrics middleware (request counts,
    # latency, in flight, Server-Timing), the loop- and hub-lag probes, the upstream and
    # database timings. off: none of it runs, to measure what it costs
    # (benchmarks/instrumentation_cost.py); the dashboards and exercises then read nothing.
    lab_instrumentation: Instrumentation = "on"
    # Local mode: pin the load generator, the upstream and the servers to CPUs of their own
    # where the machine has them (contracts/pinning.py says which go where).
    lab_pin: bool = False
    # Locust: 0 workers runs a single local process; N > 0 runs a master and N workers.
    locust_workers: int = 0
    locust_master_port: int = 5557
    # Where runtime state (multiprocess metrics, sqlite db, logs) lives.
    lab_var_dir: str = "var"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> LabSettings:
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        for f in fields(cls):
            name = f.name.upper()
            raw = env.get(name)
            if raw is None or raw == "":
                continue
            values[f.name] = _parse(name, raw, f.type)
        settings = cls(**values)  # type: ignore[arg-type]
        if "upstream_url" not in values:
            settings = dataclasses.replace(
                settings, upstream_url=settings.url(settings.upstream_port)
            )
        settings.validate()
        return settings

    def validate(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name.endswith("_port") and not 1 <= value <= 65535:
                raise SettingsError(f"{f.name.upper()}={value}: a port is 1-65535")
        if not 1 <= self.web_workers <= 64:
            raise SettingsError(f"WEB_WORKERS={self.web_workers}: expected 1-64")
        if not 1 <= self.web_threads <= 512:
            raise SettingsError(f"WEB_THREADS={self.web_threads}: expected 1-512")
        if not 1 <= self.gevent_greenlets <= 100_000:
            raise SettingsError(f"GEVENT_GREENLETS={self.gevent_greenlets}: expected 1-100000")
        if not 1 <= self.granian_runtime_threads <= 64:
            raise SettingsError(
                f"GRANIAN_RUNTIME_THREADS={self.granian_runtime_threads}: expected 1-64"
            )
        if not 0 < self.upstream_timeout_s <= MAX_TIMEOUT_S:
            raise SettingsError(
                f"UPSTREAM_TIMEOUT_S={self.upstream_timeout_s}: expected (0, {MAX_TIMEOUT_S:g}]"
            )
        if not 0 <= self.locust_workers <= MAX_LOCUST_WORKERS:
            raise SettingsError(
                f"LOCUST_WORKERS={self.locust_workers}: expected 0-{MAX_LOCUST_WORKERS}"
            )
        if not 1 <= self.upstream_pool_size <= 100_000:
            raise SettingsError(f"UPSTREAM_POOL_SIZE={self.upstream_pool_size}: expected 1-100000")
        # Choices are checked here too, for settings made in code (an exercise's phase).
        for f in fields(self):
            choices = _CHOICES.get(str(f.type))
            if choices is not None and getattr(self, f.name) not in choices:
                value = getattr(self, f.name)
                raise SettingsError(
                    f"{f.name.upper()}={value!r}: expected one of {', '.join(choices)}"
                )
        if self.wsgi_server == "granian" and self.wsgi_worker_class != "sync":
            raise SettingsError(
                f"WSGI_WORKER_CLASS={self.wsgi_worker_class}: gunicorn's; with WSGI_SERVER="
                "granian leave it sync (granian runs WEB_THREADS threads per worker)"
            )
        if self.lab_publish_host and self.proxy_on:
            raise SettingsError(
                f"LAB_PUBLISH_HOST={self.lab_publish_host}: it publishes the servers themselves, "
                f"where LAB_PROXY={self.lab_proxy} puts its own ports; set LAB_PROXY=off"
            )
        if not 0 <= self.gunicorn_timeout_s <= MAX_GUNICORN_TIMEOUT_S:
            raise SettingsError(
                f"GUNICORN_TIMEOUT_S={self.gunicorn_timeout_s}: expected 0 (derived) "
                f"or 1-{MAX_GUNICORN_TIMEOUT_S}"
            )

    @property
    def proxy_on(self) -> bool:
        return self.lab_proxy != "off"

    @property
    def instrumented(self) -> bool:
        return self.lab_instrumentation == "on"

    def gunicorn_worker_timeout_s(self) -> int:
        """The timeout gunicorn runs with: GUNICORN_TIMEOUT_S, or when 0, above the longest
        request the app allows (MAX_REQUEST_MS of expected work, then one failing upstream
        call: its deadline, overshot by at most one more silent read), with margin."""
        if self.gunicorn_timeout_s:
            return self.gunicorn_timeout_s
        longest = MAX_REQUEST_MS / 1000 + 2 * self.upstream_timeout_s
        return max(120, math.ceil(longest) + 30)

    def server_shaping(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in SERVER_SHAPING}

    def as_env(self) -> dict[str, str]:
        """The settings as environment variables, for child processes."""
        return {k.upper(): str(v) for k, v in dataclasses.asdict(self).items()}

    def var_path(self) -> Path:
        """Where runtime state lives (LAB_VAR_DIR, relative to the repository)."""
        return var_dir(self.lab_var_dir)

    def sqlite_path(self) -> Path:
        """The app's embedded database, used when DATABASE_URL is unset."""
        return self.var_path() / "django.sqlite3"

    @property
    def client_host(self) -> str:
        """Where a client on this machine reaches the services: LAB_HOST, or loopback when
        that listens on every interface."""
        return "127.0.0.1" if self.lab_host in ("0.0.0.0", "") else self.lab_host

    def url(self, port: int) -> str:
        return f"http://{self.client_host}:{port}"


# Read by the local runner only (`lab up`, the exercises): compose has its own CPU limits
# (`cpus:`) and its containers never get these.
LOCAL_ONLY = frozenset({"lab_pin"})

# Settings that say where things are, not how a Django server runs or what its views do.
_NOT_SHAPING = frozenset(
    {
        "lab_host",
        "lab_allowed_hosts",
        "lab_publish_host",
        "upstream_url",
        "lab_var_dir",
        "locust_workers",
    }
)
# Every other setting shapes a server: two servers with equal values here measure the same
# thing. A running server reports them on /healthz, so an exercise can tell whether it may
# measure that server. A new setting shapes unless listed above: the safe default.
SERVER_SHAPING = tuple(
    f.name
    for f in fields(LabSettings)
    if f.name not in _NOT_SHAPING and not f.name.endswith("_port")
)


def _parse(name: str, raw: str, annotation: object) -> object:
    text = str(annotation)
    parser = {"int": parse_integer, "float": parse_number, "bool": parse_flag}.get(text)
    if parser is not None:
        try:
            return parser(raw)
        except BadValue as e:
            raise SettingsError(f"{name}: {e}") from None
    choices = _CHOICES.get(text)
    if choices is not None and raw not in choices:
        raise SettingsError(f"{name}={raw!r}: expected one of {', '.join(choices)}")
    return raw


_CHOICES: dict[str, tuple[str, ...]] = {
    "WsgiServer": get_args(WsgiServer),
    "WsgiWorkerClass": get_args(WsgiWorkerClass),
    "AsgiServer": get_args(AsgiServer),
    "AsyncClientName": get_args(AsyncClientName),
    "MiddlewareStack": get_args(MiddlewareStack),
    "Proxy": get_args(Proxy),
    "Instrumentation": get_args(Instrumentation),
}
