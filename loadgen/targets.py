"""Which server a Locust run loads: the Host field if filled, else the chosen lab copy."""

from __future__ import annotations

import os
from collections.abc import Mapping

from contracts.settings import LabSettings

TARGETS = ("asgi", "wsgi")


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


def resolve(host: str | None, target: str, urls: Mapping[str, str]) -> str:
    if host:
        return host.rstrip("/")
    if target not in urls:
        raise ValueError(f"target {target!r}: expected one of {', '.join(urls)}")
    return urls[target].rstrip("/")
