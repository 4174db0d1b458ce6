"""An exercise against a running lab measures that lab's servers where they run as a phase
needs (so its dashboards show the run), starts its own where they do not, and gives the lab's
upstream back its user's configuration."""

import dataclasses
import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lab_processes import started_from

from contracts.paths import REPO
from contracts.settings import LabSettings
from lab.exercise.measure import samples
from lab.runner import running, with_free_ports

pytestmark = pytest.mark.integration

# What the lab's user had set on its upstream before the exercise.
USERS_CONFIG = {"delay_ms": 123, "jitter_ms": 4}


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as r:
        body = r.read().decode()
    return json.loads(body) if r.headers.get_content_type() == "application/json" else body


def put(url: str, body: dict[str, Any]) -> None:
    req = urllib.request.Request(
        url, json.dumps(body).encode(), method="PUT", headers={"content-type": "application/json"}
    )
    urllib.request.urlopen(req, timeout=5).close()


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[LabSettings]:
    """A running lab: the upstream, and an ASGI server with one worker (blocking-in-async's
    setting), on free ports."""
    settings = with_free_ports(
        LabSettings(lab_var_dir=str(tmp_path / "lab"), web_workers=1),
        "upstream",
        "wsgi",
        "asgi",
        "locust",
    )
    with running("upstream", settings) as upstream, running("asgi", settings):
        put(upstream + "/config", USERS_CONFIG)
        yield settings


def run_exercise(
    lab: LabSettings, var: Path, out: Path, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    ports = {k.upper(): str(v) for k, v in dataclasses.asdict(lab).items() if k.endswith("_port")}
    return subprocess.run(
        [sys.executable, "-m", "lab", "exercise", "run", "blocking-in-async", "--short",
         "--json", str(out), *args],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=REPO,
        env={**os.environ, **ports, "LAB_VAR_DIR": str(var), **env},
    )  # fmt: skip


KEPT = "on the server started for blocking-in-async async-blocking (same settings)"


def answered(metrics: str, route: str) -> float:
    return sum(
        v
        for name, labels, v in samples(metrics)
        if name == "lab_http_request_duration_seconds_count" and labels.get("route") == route
    )


def test_the_running_servers_are_measured_and_the_upstream_config_given_back(
    lab: LabSettings, tmp_path: Path
) -> None:
    var, out = tmp_path / "var", tmp_path / "results.json"
    done = run_exercise(lab, var, out)

    assert done.returncode == 0, done.stdout + done.stderr
    asgi = lab.url(lab.asgi_port)
    phases = json.loads(out.read_text())["exercises"][0]["phases"]
    assert [p["placement"] for p in phases] == [f"on the running lab's asgi server ({asgi})"] * 2
    assert f"on the running lab's asgi server ({asgi})" in done.stdout
    # The lab's own server served the load: its metrics (what Prometheus scrapes) count it.
    metrics = get(asgi + "/metrics")
    assert answered(metrics, "io_async_blocking") > 0
    assert answered(metrics, "io_async") > 0
    config = get(lab.url(lab.upstream_port) + "/config")
    assert {k: config[k] for k in USERS_CONFIG} == USERS_CONFIG
    assert started_from(var) == []  # it started no server of its own


def test_own_servers_when_the_lab_runs_otherwise(lab: LabSettings, tmp_path: Path) -> None:
    var, out = tmp_path / "var", tmp_path / "results.json"
    # The exercise process's own settings differ from the running server's.
    sync_only = "django_app.extra_middleware.SyncOnlyMiddleware"
    done = run_exercise(lab, var, out, DJANGO_EXTRA_MIDDLEWARE=sync_only)

    assert done.returncode in (0, 1), done.stdout + done.stderr
    phases = json.loads(out.read_text())["exercises"][0]["phases"]
    own = (
        "own asgi server: the running lab's has extra middleware none, needs "
        "['django_app.extra_middleware.SyncOnlyMiddleware']"
    )
    # Both phases need the same server: the second is measured on the one the first started.
    assert [p["placement"] for p in phases] == [own, f"{own}; {KEPT}"]
    assert answered(get(lab.url(lab.asgi_port) + "/metrics"), "io_async_blocking") == 0
    assert started_from(var) == []


def test_own_servers_when_told(lab: LabSettings, tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    done = run_exercise(lab, tmp_path / "var", out, "--own-servers")

    assert done.returncode in (0, 1), done.stdout + done.stderr
    phases = json.loads(out.read_text())["exercises"][0]["phases"]
    assert [p["placement"] for p in phases] == ["", KEPT]
    assert answered(get(lab.url(lab.asgi_port) + "/metrics"), "io_async_blocking") == 0
