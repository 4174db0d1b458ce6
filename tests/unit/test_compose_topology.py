"""Local mode (`lab up`: contracts/topology.py + contracts/settings.py) and compose
(docker-compose.yml + .env.example) agree on the services, their ports, their health paths
and the settings; and each container gets only the settings it reads, so that changing a load
setting never recreates the servers under test. The proxy's file (docker-compose.nginx.yml,
over the other when LAB_PROXY=nginx) puts nginx on the servers' published ports.

The compose file is read as written (`${NAME:-default}` left uninterpolated), so the test
needs no Docker engine and checks the defaults themselves.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from contracts.dotenv import read_dotenv
from contracts.paths import REPO
from contracts.settings import LOCAL_ONLY, LabSettings
from contracts.topology import ALL, BY_NAME, NGINX, PORTLESS_PROCESSES, SCRAPE_ONLY
from lab import nginx
from lab.compose import PROXY_FILE
from lab.prometheus import COMPOSE_CONFIG

COMPOSE_FILE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}
VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")
DEFAULTS = LabSettings()
FIELDS = [f.name for f in dataclasses.fields(LabSettings)]
# Settings whose value inside a container is fixed by compose, not taken from .env.
CONTAINER_FIXED = {"LAB_HOST": "0.0.0.0", "LAB_VAR_DIR": "/app/var"}


@dataclasses.dataclass(frozen=True)
class Reset:
    """Compose's `!reset VALUE`: this file's value replaces the one below, not merged."""

    value: object


class _Loader(yaml.SafeLoader):
    pass


_Loader.add_constructor(
    "!reset",
    lambda loader, node: Reset(
        loader.construct_sequence(node) if isinstance(node, yaml.SequenceNode) else None
    ),
)


def _compose(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.load(path.read_text(), Loader=_Loader)
    return data


COMPOSE = _compose(COMPOSE_FILE)
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
PROXY: dict[str, dict[str, Any]] = _compose(PROXY_FILE)["services"]
EXAMPLE = read_dotenv(ENV_EXAMPLE)


def _lab_serve_services() -> dict[str, str]:
    """lab service name -> the compose service that runs `lab serve NAME`."""
    found: dict[str, str] = {}
    for compose_name, svc in SERVICES.items():
        command = svc.get("command")
        if isinstance(command, list) and command[:2] == ["lab", "serve"]:
            assert command[2] not in found, f"`lab serve {command[2]}` runs twice in compose"
            found[command[2]] = compose_name
    return found


LAB_SERVE = _lab_serve_services()
# lab service name -> compose service name, from the topology (the one source).
IN_COMPOSE = {s.name: s.compose_name for s in ALL}
# Services compose runs from their own image instead of `lab serve`.
OWN_IMAGE = {"prometheus", "grafana", "nginx"}
# Services only the proxy's file defines.
IN_PROXY_FILE = {NGINX.name}


def _published_port_settings() -> set[str]:
    return {s.port_setting for s in ALL}


def _local_port_settings() -> set[str]:
    """Where the servers listen behind the proxy in local mode; compose keeps its ports."""
    return {s.backend_port_setting for s in ALL if s.backend_port_setting}


def _variables() -> list[tuple[str, str | None, str | None]]:
    text = "\n".join(
        line
        for path in (COMPOSE_FILE, PROXY_FILE)
        for line in path.read_text().splitlines()
        if not line.lstrip().startswith("#")
    )
    return [(m["name"], m["op"], m["arg"]) for m in VARIABLE.finditer(text)]


def _long_running(name: str) -> bool:
    return SERVICES[name].get("restart") != "no"


# Settings whose default is derived from others: .env.example leaves them empty, so that a
# copied .env does not pin them (UPSTREAM_URL follows UPSTREAM_PORT).
DERIVED = {"UPSTREAM_URL"}


def test_env_example_lists_every_setting_with_its_default() -> None:
    for field in FIELDS:
        key = field.upper()
        assert key in EXAMPLE, f".env.example lacks {key} (contracts/settings.py: {field})"
        expected = "" if key in DERIVED else str(getattr(DEFAULTS, field))
        assert EXAMPLE[key] == expected, (
            f".env.example: {key}={EXAMPLE[key]!r}, contracts/settings.py: {expected!r}"
        )
    assert LabSettings.from_env(EXAMPLE) == DEFAULTS
    moved = LabSettings.from_env({**EXAMPLE, "UPSTREAM_PORT": "18080"})
    assert moved.upstream_url == "http://127.0.0.1:18080"


def test_every_compose_variable_has_the_env_example_default() -> None:
    variables = _variables()
    assert variables, "no ${...} variables found in docker-compose.yml"
    for name, op, arg in variables:
        assert op == ":-", f"${{{name}}}: give a default (`:-`) so compose works with no .env"
        assert name in EXAMPLE, f"{name} is used by docker-compose.yml but not in .env.example"
        assert arg == EXAMPLE[name], (
            f"docker-compose.yml: ${{{name}:-{arg}}}, .env.example: {name}={EXAMPLE[name]!r}"
        )


def test_env_example_has_no_stale_names() -> None:
    used = {name for name, _, _ in _variables()} | {f.upper() for f in FIELDS}
    assert set(EXAMPLE) - used == set()


@pytest.mark.parametrize("name", [s.name for s in ALL])
def test_compose_runs_every_service_of_the_topology(name: str) -> None:
    compose_name = IN_COMPOSE[name]
    services, path = (PROXY, PROXY_FILE) if name in IN_PROXY_FILE else (SERVICES, COMPOSE_FILE)
    assert compose_name in services, (
        f"{path.name} has no service {compose_name!r} (contracts/topology.py: {name})"
    )
    if name not in OWN_IMAGE:
        command = services[compose_name].get("command")
        assert command == ["lab", "serve", name], (
            f"docker-compose.yml: {compose_name} runs {command}, "
            f"contracts/topology.py says `lab serve {name}`"
        )


def test_compose_runs_lab_serve_for_nothing_else() -> None:
    expected = {n for n in BY_NAME if n not in OWN_IMAGE} | set(PORTLESS_PROCESSES)
    assert set(LAB_SERVE) == expected


@pytest.mark.parametrize("name", [s.name for s in ALL if not s.fronts])
def test_port_and_health_path_match_the_topology(name: str) -> None:
    service = next(s for s in ALL if s.name == name)
    svc = SERVICES[service.compose_name]
    port = service.container_port
    # Published on loopback under the same variable; inside, the default port.
    expected = f"127.0.0.1:${{{service.port_variable}:-{port}}}:{port}"
    assert svc["ports"] == [expected], (
        f"docker-compose.yml: {service.compose_name} publishes {svc['ports']}, "
        f"contracts/topology.py expects [{expected!r}]"
    )
    test = svc["healthcheck"]["test"]
    assert test[-1].endswith(f":{port}{service.health_path}"), (
        f"docker-compose.yml: {service.compose_name}'s healthcheck asks {test[-1]!r}, "
        f"contracts/topology.py expects port {port} and {service.health_path}"
    )


def test_every_published_port_is_on_loopback() -> None:
    for name, svc in [*SERVICES.items(), *PROXY.items()]:
        ports = svc.get("ports", [])
        if isinstance(ports, Reset):  # published no more: nothing to check
            continue
        for mapping in ports:
            assert str(mapping).startswith("127.0.0.1:"), (
                f"docker-compose.yml: {name} publishes {mapping}"
            )


# Fixed inside every `lab serve` container; never taken from .env.
# In every `lab serve` container: fixed values, and who may talk to the lab (from .env).
LAB_FIXED = set(CONTAINER_FIXED) | {"LAB_ALLOWED_HOSTS", "LAB_PUBLISH_HOST"}
DB_ENV = {"DATABASE_URL", "DJANGO_SECRET_KEY", "DJANGO_DB_POOL_SIZE"}
DJANGO_ENV = (
    LAB_FIXED
    | DB_ENV
    | {
        "UPSTREAM_URL",
        "UPSTREAM_TIMEOUT_S",
        "UPSTREAM_POOL_SIZE",
        "ASYNC_HTTP_CLIENT",
        "MIDDLEWARE_STACK",
        "ASGI_DB_REQUEST_STARTED",
        "LAB_INSTRUMENTATION",
        "WEB_WORKERS",
        "WEB_THREADS",
        "WSGI_SERVER",
        "WSGI_WORKER_CLASS",
        "ASGI_SERVER",
        "GEVENT_GREENLETS",
        "GRANIAN_RUNTIME_THREADS",
        "GUNICORN_TIMEOUT_S",
        "LAB_PROXY",
    }
)
LOCUST_ENV = LAB_FIXED | {"LOCUST_MASTER_PORT", "LOCUST_WSGI_URL", "LOCUST_ASGI_URL"}
# compose service -> exactly the environment it gets: what its code reads, nothing more, so
# that changing a knob recreates only the services that use it.
NEEDS: dict[str, set[str]] = {
    "upstream": LAB_FIXED
    | {"SLOW_DELAY_MS", "SLOW_JITTER_MS", "SLOW_DISTRIBUTION", "SLOW_ERROR_RATE"},
    "migrate": LAB_FIXED | DB_ENV,
    "django-wsgi": DJANGO_ENV,
    "django-asgi": DJANGO_ENV,
    "locust-master": LOCUST_ENV | {"LOCUST_WORKERS"},
    "locust-worker": LOCUST_ENV | {"LOCUST_MASTER_NODE_HOST"},
}
# The servers under test and what they stand on: no knob of the load generator or of the
# observability stack may reach them (a change would recreate them mid-experiment).
UNDER_TEST = {"upstream", "postgres", "migrate", "django-wsgi", "django-asgi"}
# Variables every image of ours shares: a new image rebuilds everything, as it should.
IMAGE_VARIABLES = {"PYTHON_IMAGE", "LAB_IMAGE_TAG"}
# Settings of the whole stack: changing one rightly recreates every service that reads it.
STACK_VARIABLES = {"LAB_ALLOWED_HOSTS", "LAB_PUBLISH_HOST"}


def _service_variables(name: str) -> set[str]:
    """The ${NAME} variables a service's definition (anchors merged) reads."""
    return {m["name"] for m in VARIABLE.finditer(yaml.safe_dump(SERVICES[name]))}


@pytest.mark.parametrize("name", sorted(NEEDS))
def test_each_container_gets_only_the_settings_it_uses(name: str) -> None:
    env: dict[str, str] = SERVICES[name]["environment"]
    assert set(env) == NEEDS[name]
    upstream = f"http://{LAB_SERVE['upstream']}:{DEFAULTS.upstream_port}"
    for field in FIELDS:
        key = field.upper()
        if key not in env:
            continue
        if key in CONTAINER_FIXED:
            assert env[key] == CONTAINER_FIXED[key]
        elif key == "UPSTREAM_URL":
            assert env[key] == upstream
        elif key == "LAB_PROXY":
            assert env[key] == "off"  # docker-compose.nginx.yml sets it, with nginx in front
        else:
            assert env[key] == f"${{{key}:-{getattr(DEFAULTS, field)}}}"


def test_every_container_running_lab_code_is_covered() -> None:
    lab_code = {n for n, s in SERVICES.items() if s.get("image", "").startswith("asynclab-")}
    assert lab_code - {"grafana-init"} == set(NEEDS)


def test_every_setting_reaches_a_container_but_the_published_ports() -> None:
    given = set().union(*(set(SERVICES[n]["environment"]) for n in NEEDS))
    # Read on the host by the command that serves them (`lab exercise run`), not in compose.
    on_the_host = {t.port_setting for t in SCRAPE_ONLY}
    for field in FIELDS:
        key = field.upper()
        if field in LOCAL_ONLY:
            assert key not in given, f"{key} is the local runner's: no container reads it"
        elif field in _published_port_settings() | _local_port_settings() | on_the_host:
            # The server must listen on its default port, the one Prometheus scrapes.
            assert key not in given, f"{key} would move the port inside a container"
        else:
            assert key in given, f"no container gets {key}"


def test_load_and_observability_knobs_never_touch_the_servers_under_test() -> None:
    theirs = set().union(*(_service_variables(n) for n in UNDER_TEST))
    for name in sorted(set(SERVICES) - UNDER_TEST):
        shared = (_service_variables(name) & theirs) - IMAGE_VARIABLES - STACK_VARIABLES
        assert shared == set(), f"changing {sorted(shared)} would recreate {name} too"
    assert not any(v.startswith("LOCUST_") for v in theirs)


def test_the_two_servers_share_one_environment() -> None:
    assert SERVICES["django-wsgi"]["environment"] == SERVICES["django-asgi"]["environment"]


def test_locust_urls_point_at_the_django_services() -> None:
    expected = {
        "LOCUST_WSGI_URL": f"http://{LAB_SERVE['wsgi']}:{DEFAULTS.wsgi_port}",
        "LOCUST_ASGI_URL": f"http://{LAB_SERVE['asgi']}:{DEFAULTS.asgi_port}",
    }
    for name in ("locust", "locust-worker"):
        env = SERVICES[LAB_SERVE[name]]["environment"]
        assert {k: env[k] for k in expected} == expected
    worker = SERVICES[LAB_SERVE["locust-worker"]]
    assert worker["environment"]["LOCUST_MASTER_NODE_HOST"] == LAB_SERVE["locust"]
    assert worker["deploy"]["replicas"] == f"${{LOCUST_WORKERS:-{DEFAULTS.locust_workers}}}"


def test_long_running_services_have_healthchecks_and_start_by_health() -> None:
    for name, svc in SERVICES.items():
        assert ("healthcheck" in svc) == _long_running(name), name
        for dependency, spec in svc.get("depends_on", {}).items():
            wanted = (
                "service_healthy" if _long_running(dependency) else "service_completed_successfully"
            )
            assert spec["condition"] == wanted, f"{name} -> {dependency}"


def test_django_servers_differ_only_in_command_port_and_health() -> None:
    wsgi, asgi = SERVICES[LAB_SERVE["wsgi"]], SERVICES[LAB_SERVE["asgi"]]
    own = {"command", "ports", "healthcheck"}
    assert {k: v for k, v in wsgi.items() if k not in own} == {
        k: v for k, v in asgi.items() if k not in own
    }
    limits = wsgi["deploy"]["resources"]["limits"]
    assert set(limits) == {"cpus", "memory"}
    # The migration runs in the same image before either server starts.
    assert SERVICES["migrate"]["image"] == wsgi["image"]
    assert wsgi["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_prometheus_container_reads_the_compose_config() -> None:
    svc = SERVICES[IN_COMPOSE["prometheus"]]
    mounts = {m["target"]: m for m in svc["volumes"] if isinstance(m, dict)}
    mount = mounts["/etc/prometheus"]
    assert (REPO / mount["source"]).resolve() == COMPOSE_CONFIG.parent
    assert mount["read_only"] is True
    assert f"--config.file=/etc/prometheus/{COMPOSE_CONFIG.name}" in svc["command"]
    config = yaml.safe_load(COMPOSE_CONFIG.read_text())
    targets = {
        target
        for job in config["scrape_configs"]
        for static in job.get("static_configs", [])
        for target in static["targets"]
    }
    services = {
        f"{IN_COMPOSE[n]}:{BY_NAME[n].port(DEFAULTS)}" for n in BY_NAME if BY_NAME[n].scraped
    }
    on_the_host = {f"{t.compose_host}:{t.port(DEFAULTS)}" for t in SCRAPE_ONLY}
    assert targets == services | on_the_host


def test_prometheus_container_reaches_the_host_by_its_scrape_only_names() -> None:
    # Docker Desktop resolves host.docker.internal itself; Linux needs the mapping.
    extra_hosts = SERVICES[IN_COMPOSE["prometheus"]].get("extra_hosts", [])
    for target in SCRAPE_ONLY:
        assert f"{target.compose_host}:host-gateway" in extra_hosts, (
            f"docker-compose.yml: prometheus cannot resolve {target.compose_host} "
            f"(job {target.name}): add it to extra_hosts as host-gateway"
        )


def test_grafana_mounts_match_its_provisioning() -> None:
    svc = SERVICES["grafana"]
    mounts = {m["source"]: m for m in svc["volumes"] if isinstance(m, dict)}
    assert mounts["./grafana/provisioning"]["target"] == "/etc/grafana/provisioning"
    providers = yaml.safe_load((REPO / "grafana/provisioning/dashboards/lab.yml").read_text())
    paths = {p["options"]["path"] for p in providers["providers"]}
    assert paths == {mounts["./grafana/dashboards"]["target"]}
    datasources = yaml.safe_load(
        (REPO / "grafana/provisioning/datasources/prometheus.yml").read_text()
    )
    urls = {d["url"] for d in datasources["datasources"]}
    assert urls == {f"http://{IN_COMPOSE['prometheus']}:{DEFAULTS.prometheus_port}"}
    # Anonymous visitors may look, never change.
    assert svc["environment"]["GF_AUTH_ANONYMOUS_ORG_ROLE"] == "Viewer"


# --- the proxy's file, over the other when LAB_PROXY=nginx ------------------------------------


def test_nginx_takes_the_servers_published_ports_and_they_are_published_no_more() -> None:
    fronted = [BY_NAME[n] for n in NGINX.fronts]
    assert PROXY[NGINX.compose_name]["ports"] == [
        mapping for s in fronted for mapping in SERVICES[s.compose_name]["ports"]
    ]
    for s in fronted:
        assert PROXY[s.compose_name]["ports"] == Reset([])


def test_behind_nginx_the_servers_say_so_and_locust_goes_through_it() -> None:
    wsgi, asgi = (PROXY[BY_NAME[n].compose_name] for n in NGINX.fronts)
    assert wsgi == asgi == {"ports": Reset([]), "environment": {"LAB_PROXY": "nginx"}}
    expected = {
        "LOCUST_WSGI_URL": f"http://{NGINX.compose_name}:{DEFAULTS.wsgi_port}",
        "LOCUST_ASGI_URL": f"http://{NGINX.compose_name}:{DEFAULTS.asgi_port}",
    }
    for name in ("locust", "locust-worker"):
        assert PROXY[LAB_SERVE[name]] == {"environment": expected}
    # Nothing else is changed by the proxy's file.
    assert set(PROXY) == {NGINX.compose_name, *(BY_NAME[n].compose_name for n in NGINX.fronts)} | {
        LAB_SERVE["locust"],
        LAB_SERVE["locust-worker"],
    }


def test_nginx_runs_the_rendered_config_after_healthy_servers() -> None:
    svc = PROXY[NGINX.compose_name]
    (mount,) = svc["volumes"]
    assert (REPO / mount["source"]).resolve() == nginx.COMPOSE_CONFIG
    assert mount["target"] == "/etc/nginx/nginx.conf"
    assert mount["read_only"] is True
    for name in NGINX.fronts:
        # It looks the servers up when it starts: a recreated server restarts it.
        dependency = svc["depends_on"][BY_NAME[name].compose_name]
        assert dependency == {"condition": "service_healthy", "restart": True}
    assert svc["restart"] == "unless-stopped"
    check = dict(svc["healthcheck"])
    test = check.pop("test")
    assert check == COMPOSE["x-healthcheck"]
    # Through to the first server: the port it has in the network, and its health path.
    assert f":{BY_NAME[NGINX.fronts[0]].container_port}{NGINX.health_path}" in test[-1]
