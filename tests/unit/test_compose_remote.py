"""The two compose files for load workers on other machines agree with the main one:
docker-compose.remote.yml moves exactly the ports workers need (the servers' and the Locust
master's) to LAB_PUBLISH_HOST, and docker-compose.workers.yml runs only workers, exactly as
the main file's, publishing nothing and requiring the master's address and the servers' URLs.
Read as written (no Docker engine needed)."""

from __future__ import annotations

import re
from typing import Any

import yaml

from lab.compose import COMPOSE_FILE, REMOTE_FILE, WORKERS_FILE


class _Loader(yaml.SafeLoader):
    pass


# Compose's `!override VALUE`: this file's list replaces the one below instead of merging.
def _override(loader: yaml.SafeLoader, node: yaml.Node) -> list[Any]:
    assert isinstance(node, yaml.SequenceNode)
    return loader.construct_sequence(node)


_Loader.add_constructor("!override", _override)

VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?P<op>:?[-?])?(?P<arg>[^}]*)\}")


def _services(path: Any) -> dict[str, dict[str, Any]]:
    data: dict[str, Any] = yaml.load(path.read_text(), Loader=_Loader)
    services: dict[str, dict[str, Any]] = data["services"]
    return services


MAIN = _services(COMPOSE_FILE)
REMOTE = _services(REMOTE_FILE)
WORKERS = _services(WORKERS_FILE)
PUBLISH = "${LAB_PUBLISH_HOST:?set LAB_PUBLISH_HOST}"


def test_remote_moves_the_servers_ports_to_the_publish_address() -> None:
    for name in ("django-wsgi", "django-asgi"):
        (main,) = MAIN[name]["ports"]
        # Same host and container port as the main file, on the named address instead.
        assert REMOTE[name]["ports"] == [main.replace("127.0.0.1:", PUBLISH + ":", 1)]


def test_remote_publishes_the_master_port_where_the_master_listens() -> None:
    port = MAIN["locust-master"]["environment"]["LOCUST_MASTER_PORT"]
    assert REMOTE["locust-master"]["ports"] == [f"{PUBLISH}:{port}:{port}"]
    # The web UI stays on loopback: the remote file adds to its ports, never replaces them.
    assert MAIN["locust-master"]["ports"][0].startswith("127.0.0.1:")


def test_remote_touches_nothing_else() -> None:
    assert set(REMOTE) == {"django-wsgi", "django-asgi", "locust-master"}
    assert all(set(svc) == {"ports"} for svc in REMOTE.values())


def test_workers_file_runs_the_main_worker_and_publishes_nothing() -> None:
    assert set(WORKERS) == {"locust-worker"}
    worker, main = WORKERS["locust-worker"], MAIN["locust-worker"]
    for key in ("image", "command", "init", "restart"):
        assert worker[key] == main[key], key
    assert worker["build"]["target"] == main["build"]["target"]
    assert worker["deploy"]["resources"] == main["deploy"]["resources"]
    assert "ports" not in worker


def test_workers_need_the_master_address_and_the_servers_urls() -> None:
    env: dict[str, str] = WORKERS["locust-worker"]["environment"]
    required = {
        m["name"]: key
        for key, value in env.items()
        for m in VARIABLE.finditer(str(value))
        if m["op"] == ":?"
    }
    assert required == {
        "LOCUST_MASTER_HOST": "LOCUST_MASTER_NODE_HOST",  # Locust's own variable
        "LOCUST_WSGI_URL": "LOCUST_WSGI_URL",
        "LOCUST_ASGI_URL": "LOCUST_ASGI_URL",
    }
    assert env["LOCUST_MASTER_PORT"] == MAIN["locust-worker"]["environment"]["LOCUST_MASTER_PORT"]
