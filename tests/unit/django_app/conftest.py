"""Django's sync and async test clients over one suite (ids `wsgi`/`asgi`), with no upstream:
these tests start nothing. The suites that need the real slow upstream are in
tests/integration/django_app."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import override_settings
from django_clients import Caller, shared_loop

from contracts.settings import LabSettings
from lab.runner import free_port


@pytest.fixture(scope="session")
def loop_runner() -> Iterator[asyncio.Runner]:
    yield from shared_loop()


@pytest.fixture
def lab() -> Iterator[LabSettings]:
    """The app's settings with the upstream on a closed port: a call to it is refused at once
    (a 502), never sent to whatever listens on the default one."""
    new = dataclasses.replace(settings.LAB, upstream_url=f"http://127.0.0.1:{free_port()}")
    with override_settings(LAB=new):
        yield new


@pytest.fixture(params=["wsgi", "asgi"])
def client(request: pytest.FixtureRequest, loop_runner: asyncio.Runner, lab: LabSettings) -> Caller:
    return Caller(request.param, loop_runner)
