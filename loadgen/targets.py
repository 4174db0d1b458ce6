"""Which server a Locust run loads: the Host field if filled, else the chosen lab copy, or
both copies (`--target both`: users split evenly, each request named after its server)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from contracts.settings import LabSettings

TARGETS = ("asgi", "wsgi")
BOTH = "both"
CHOICES = (*TARGETS, BOTH)
# The target label of a run whose Host field names the server: not one of the lab's copies.
HOST = "host"


def default_urls(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Base URL of each copy of the Django app, from the lab's settings.

    In compose the servers are other containers: LOCUST_WSGI_URL / LOCUST_ASGI_URL say where.
    """
    env = os.environ if env is None else env
    s = LabSettings.from_env(env)
    return {
        "wsgi": env.get("LOCUST_WSGI_URL") or s.url(s.wsgi_port),
        "asgi": env.get("LOCUST_ASGI_URL") or s.url(s.asgi_port),
    }


def own_urls(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The URLs this process's own LOCUST_*_URL variables give. A worker prefers them to the
    master's: on another machine the servers are reached by other addresses."""
    env = os.environ if env is None else env
    return {
        t: env[f"LOCUST_{t.upper()}_URL"] for t in TARGETS if env.get(f"LOCUST_{t.upper()}_URL")
    }


def resolve(host: str | None, target: str, urls: Mapping[str, str]) -> str:
    if host:
        return host.rstrip("/")
    if target not in urls:
        raise ValueError(f"target {target!r}: expected one of {', '.join(urls)}")
    return urls[target].rstrip("/")


def server_of_user(target: str, index: int) -> str:
    """The copy the `index`-th user (0, 1, ...) loads: the target, or with `both` each copy
    in turn, so the users split evenly (one more on the first when their count is odd)."""
    return TARGETS[index % len(TARGETS)] if target == BOTH else target


def run_target(host: str | None, target: str) -> str:
    """What a run loads, as its metrics' `target` label: wsgi, asgi, both, or host."""
    return HOST if host else target


def named(server: str, name: str) -> str:
    """A request's name in a `both` run: its server first, so each server gets its rows."""
    return f"{server} {name}"


def target_of(name: str, run: str) -> str:
    """The server a request named `name` went to: its name's first word in a `both` run,
    else the run's target."""
    first = name.split(" ", 1)[0]
    return first if run == BOTH and first in TARGETS else run
