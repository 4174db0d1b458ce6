"""Django's sync and async test clients over one suite (ids `wsgi`/`asgi`), in front of the
real slow upstream (one process for the session, on a free port of 127.0.0.1).
test_django_servers.py runs the real Django servers instead, with its own `lab`."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import override_settings
from django_clients import VAR_DIR, Caller, shared_loop, upstream_config

from contracts.settings import LabSettings
from lab.runner import running, with_free_ports


@pytest.fixture(scope="session")
def loop_runner() -> Iterator[asyncio.Runner]:
    yield from shared_loop()


@pytest.fixture(scope="session")
def upstream_url() -> Iterator[str]:
    lab = with_free_ports(LabSettings(lab_var_dir=str(VAR_DIR)), "upstream")
    with running("upstream", lab) as url:
        yield url


@pytest.fixture
def lab(upstream_url: str) -> Iterator[LabSettings]:
    """The app's settings, pointed at the test upstream; tests may override more."""
    new = dataclasses.replace(settings.LAB, upstream_url=upstream_url)
    with override_settings(LAB=new):
        yield new
    upstream_config(upstream_url, "DELETE")  # faults a test switched on end with it


@pytest.fixture(params=["wsgi", "asgi"])
def client(request: pytest.FixtureRequest, loop_runner: asyncio.Runner, lab: LabSettings) -> Caller:
    return Caller(request.param, loop_runner)
