"""Django's sync and async test clients behind one interface, for the suites that run each
test through both (ids `wsgi`/`asgi`); importable from every test directory because pytest
puts this directory, the one of the top conftest.py, on sys.path.

Importing this module configures Django, once per process: a throwaway SQLite database for
the slow queries, migrated as `lab serve` migrates its own (removed at exit), the default
registry for metrics. The environment is put back after, for other tests. The conftest.py
files of those suites define the fixtures."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import os
import shutil
import tempfile
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

VAR_DIR = Path(tempfile.mkdtemp(prefix="asynclab-django-tests-"))
# At exit, not in a fixture: a run that only collects the tests imports this module too.
atexit.register(shutil.rmtree, VAR_DIR, ignore_errors=True)
_SAVED = dict(os.environ)
os.environ["LAB_VAR_DIR"] = str(VAR_DIR)
os.environ["DJANGO_SETTINGS_MODULE"] = "django_app.settings"
os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
os.environ.pop("LAB_SERVER", None)  # no server command: the request class decides
os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

call_command("migrate", verbosity=0)
os.environ.clear()
os.environ.update(_SAVED)

from django.conf import settings as _django_settings  # noqa: E402

# Django's test clients call themselves "testserver", as Django's test runner allows.
_django_settings.ALLOWED_HOSTS.append("testserver")

from django.http.response import HttpResponse, HttpResponseBase, StreamingHttpResponse  # noqa: E402
from django.test import AsyncClient, Client  # noqa: E402

from django_app import upstream  # noqa: E402
from django_app.observability.loop_lag import stop_probe  # noqa: E402


def shared_loop() -> Iterator[asyncio.Runner]:
    """One event loop for every async-client request: like a uvicorn worker's, it outlives
    requests, so the shared async client and the loop-lag probe are exercised for real."""
    runner = asyncio.Runner()

    async def shutdown() -> None:
        await stop_probe()
        await upstream.close_async_clients()

    try:
        yield runner
    finally:
        runner.run(shutdown())
        runner.close()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Caller:
    """GET through Django's sync client (WSGIRequest) or async client (ASGIRequest)."""

    server: str
    runner: asyncio.Runner

    def get(self, path: str, method: str = "GET") -> Answer:
        if self.server == "wsgi":
            response = getattr(Client(), method.lower())(path)
            return Answer(response.status_code, dict(response.headers), _read_sync(response))

        async def call() -> Answer:
            response = await getattr(AsyncClient(), method.lower())(path)
            return Answer(response.status_code, dict(response.headers), await _read(response))

        return self.runner.run(call())


def _read_sync(response: HttpResponseBase) -> bytes:
    if isinstance(response, StreamingHttpResponse):
        return b"".join(response)
    assert isinstance(response, HttpResponse)
    return response.content


async def _read(response: HttpResponseBase) -> bytes:
    if isinstance(response, StreamingHttpResponse):
        return b"".join([chunk async for chunk in response])
    assert isinstance(response, HttpResponse)
    return response.content


def sync_stream_warning(server: str, path: str) -> contextlib.AbstractContextManager[object]:
    """Under ASGI Django warns that it reads a sync stream (`/stream/sync`) in one piece:
    expect the warning there, and nowhere else."""
    if server == "asgi" and path.startswith("/stream/sync"):
        return pytest.warns(Warning, match="must consume synchronous iterators")
    return contextlib.nullcontext()


def upstream_config(url: str, method: str, body: dict[str, Any] | None = None) -> None:
    """Switch faults of the slow upstream at `url` on (PUT) or back to its defaults (DELETE)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url + "/config", data=data, method=method)
    req.add_header("content-type", "application/json")
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 200
