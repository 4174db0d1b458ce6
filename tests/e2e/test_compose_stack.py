"""The whole lab in containers, end to end, on a real Docker engine.

Builds the images, starts docker-compose.yml under a project name of its own with every port
published on a free 127.0.0.1 port (so a running lab is left alone), waits for health, drives
a short, bounded load through the Locust master's HTTP API to both servers, and checks what
Prometheus scraped and that the database scenario runs on Postgres, and that a load setting
or `--scale locust-worker=N` recreates none of the servers. The stack is always torn down with
`docker compose down -v`, whatever happens; when a test failed, `docker compose ps` and the
services' last log lines are printed first.

No Docker engine: the test skips and says why; with CI set, it fails instead.
Grafana's image may not be available everywhere: then the stack starts without it (said in
the output) and the Grafana check skips; any other missing image is a failure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from compose_engine import checked, print_past_capture, require_engine

from contracts.paths import REPO
from contracts.settings import LabSettings
from contracts.topology import SCRAPE_ONLY
from lab.prometheus import compose_targets
from lab.runner import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1800)]

DEFAULTS = LabSettings()
PUBLISHED = ("UPSTREAM_PORT", "WSGI_PORT", "ASGI_PORT", "LOCUST_WEB_PORT", "PROMETHEUS_PORT")
OPTIONAL = {"grafana"}  # started when its image is available, else left out
LOCUST_WORKERS = 2


@dataclass
class Stack:
    project: str
    env: dict[str, str]
    services: list[str]

    def compose(self, *args: str, timeout: float = 120, check: bool = True) -> str:
        return _compose(self.project, self.env, *args, timeout=timeout, check=check)

    def url(self, port_name: str) -> str:
        return f"http://127.0.0.1:{self.env[port_name]}"

    def container(self, service: str) -> dict[str, Any]:
        cid = self.compose("ps", "--all", "--quiet", service).split()[0]
        out = subprocess.run(
            ["docker", "inspect", cid], capture_output=True, text=True, check=True, timeout=30
        ).stdout
        info: dict[str, Any] = json.loads(out)[0]
        return info


def _compose(
    project: str, env: dict[str, str], *args: str, timeout: float = 120, check: bool = True
) -> str:
    argv = [
        "docker",
        "compose",
        "--project-directory",
        str(REPO),
        "--file",
        str(REPO / "docker-compose.yml"),
        # The committed defaults, not a developer's .env (real environment variables still win).
        "--env-file",
        str(REPO / ".env.example"),
        "--project-name",
        project,
        *args,
    ]
    shown = f"docker compose {' '.join(args)}"
    return checked(argv, shown, env, timeout=timeout, check=check).stdout


def _image_available(image: str) -> bool:
    done = subprocess.run(["docker", "image", "inspect", image], capture_output=True, timeout=30)
    return done.returncode == 0


def _eventually[T](what: str, probe: Callable[[], T | None], timeout: float = 60) -> T:
    """Poll `probe` until it returns something other than None; fail after `timeout`."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            result = probe()
        except (httpx.HTTPError, KeyError, IndexError, ValueError) as e:
            last, result = e, None
        if result is not None:
            return result
        time.sleep(1)
    raise AssertionError(f"{what}: not seen within {timeout:.0f} s (last: {last!r})")


@pytest.fixture(scope="module")
def stack(request: pytest.FixtureRequest) -> Iterator[Stack]:
    require_engine("the compose e2e test")

    env = {**os.environ, "LOCUST_WORKERS": str(LOCUST_WORKERS)}
    env.update({name: str(free_port()) for name in (*PUBLISHED, "GRAFANA_PORT")})
    project = f"asynclab-e2e-{uuid.uuid4().hex[:8]}"

    config = json.loads(_compose(project, env, "config", "--format", "json"))
    services: dict[str, Any] = config["services"]
    left_out = {
        name
        for name in OPTIONAL
        if "build" not in services[name] and not _image_available(services[name]["image"])
    }
    for name in sorted(left_out):
        print(f"e2e: {name}: image {services[name]['image']} not available, started without it")
    # The long-running services; one-shots (migrate) start as their dependencies.
    wanted = sorted(n for n, s in services.items() if "healthcheck" in s and n not in left_out)
    stack = Stack(project, env, wanted)
    failed_before = request.session.testsfailed
    setup_failed = False
    try:
        stack.compose("build", timeout=1500)  # cached after the first run
        started = time.monotonic()
        stack.compose("up", "--detach", "--wait", "--wait-timeout", "300", *wanted, timeout=600)
        print(f"e2e: `docker compose up --wait` took {time.monotonic() - started:.1f} s")
        yield stack
    except BaseException:
        setup_failed = True
        raise
    finally:
        # pytest does not pass a test's failure into its fixtures: compare the failure count.
        if setup_failed or request.session.testsfailed > failed_before:
            _dump(stack, request.config)
        stack.compose("down", "--volumes", "--remove-orphans", "--timeout", "10", timeout=300)


def _dump(stack: Stack, config: pytest.Config) -> None:
    """What the containers said, for a failed run."""
    text = "\n".join(
        (
            f"\ne2e: a test failed; the state of {stack.project} before `down`:",
            stack.compose("ps", "--all", check=False),
            stack.compose("logs", "--no-color", "--tail", "60", check=False, timeout=60),
        )
    )
    print_past_capture(text, config)


def test_every_long_running_service_is_healthy_and_runs_as_non_root(stack: Stack) -> None:
    for service in stack.services:
        replicas = LOCUST_WORKERS if service == "locust-worker" else 1
        ids = stack.compose("ps", "--quiet", service).split()
        assert len(ids) == replicas, f"{service}: {len(ids)} containers, expected {replicas}"
        info = stack.container(service)
        assert info["State"]["Health"]["Status"] == "healthy", service
        if "build" in json.loads(stack.compose("config", "--format", "json"))["services"][service]:
            assert info["Config"]["User"] not in ("", "0", "root"), f"{service} runs as root"
    migrate = stack.container("migrate")["State"]
    assert (migrate["Status"], migrate["ExitCode"]) == ("exited", 0)


def test_the_two_servers_get_equal_nonzero_limits(stack: Stack) -> None:
    limits = [
        (c["HostConfig"]["NanoCpus"], c["HostConfig"]["Memory"])
        for c in (stack.container("django-wsgi"), stack.container("django-asgi"))
    ]
    assert limits[0] == limits[1]
    assert limits[0][0] > 0
    assert limits[0][1] > 0


def _row(stats: dict[str, Any], name: str) -> dict[str, Any]:
    """One row of Locust's /stats/requests."""
    rows: list[dict[str, Any]] = [s for s in stats["stats"] if s["name"] == name]
    assert rows, f"no {name!r} row in Locust's stats"
    return rows[0]


# (target, Locust user class, request name): one closed-loop swarm per server.
SWARMS = (("wsgi", "IoSyncUser", "/io/sync"), ("asgi", "IoAsyncUser", "/io/async"))


@pytest.fixture(scope="module")
def swarmed(stack: Stack) -> dict[str, dict[str, Any]]:
    """Drive the load through the Locust master's HTTP API; Locust's stats per target."""
    results: dict[str, dict[str, Any]] = {}
    with httpx.Client(base_url=stack.url("LOCUST_WEB_PORT"), timeout=10) as client:
        for target, user_class, path in SWARMS:
            # Bounded: 4 users, a 100 ms upstream wait, stopped once 20 requests are done.
            reply = client.post(
                "/swarm",
                data={
                    "user_count": "4",
                    "spawn_rate": "4",
                    "host": "",
                    "user_classes": user_class,
                    "target": target,
                    "delay_ms": "100",
                },
            )
            assert reply.status_code == 200
            assert reply.json()["success"] is True, reply.text
            try:

                def enough(path: str = path) -> dict[str, Any] | None:
                    stats: dict[str, Any] = client.get("/stats/requests").json()
                    rows = [s for s in stats["stats"] if s["name"] == path]
                    return stats if rows and rows[0]["num_requests"] >= 20 else None

                results[target] = _eventually(f"20 requests to {target} {path}", enough)
            finally:
                client.post("/stop")

            def stopped() -> bool | None:
                return client.get("/stats/requests").json()["state"] == "stopped" or None

            _eventually("Locust stopped", stopped)
    return results


@pytest.mark.parametrize(("target", "path"), [(t, p) for t, _, p in SWARMS], ids=["wsgi", "asgi"])
def test_locust_master_drives_load_through_its_workers(
    swarmed: dict[str, dict[str, Any]], target: str, path: str
) -> None:
    stats = swarmed[target]
    row = _row(stats, path)
    assert row["num_failures"] == 0, stats["errors"]
    assert stats["worker_count"] == LOCUST_WORKERS
    # Every request waited at least the upstream's 100 ms.
    assert row["min_response_time"] >= 100


def test_prometheus_scraped_both_servers_the_upstream_and_locust(
    stack: Stack, swarmed: dict[str, dict[str, Any]]
) -> None:
    api = stack.url("PROMETHEUS_PORT") + "/api/v1/query"

    def query(promql: str, *labels: str) -> dict[tuple[str, ...], float]:
        """(values of `labels`) -> value, for an instant query."""
        data = httpx.get(api, params={"query": promql}, timeout=10).json()
        assert data["status"] == "success", data
        return {
            tuple(r["metric"].get(label, "") for label in labels): float(r["value"][1])
            for r in data["data"]["result"]
        }

    # No exercise runs on the host here: its scrape-only target is rightly down.
    host_only = {t.name for t in SCRAPE_ONLY}
    services = {name: target for name, target in compose_targets().items() if name not in host_only}
    expected_up = {(instance,): 1.0 for instance in services.values()}
    up = f'max by (instance) (up{{job!~"{"|".join(host_only)}"}})'
    _eventually(
        "every service's target up",
        lambda: True if query(up, "instance") == expected_up else None,
    )
    # The swarms, seen by the servers themselves and scraped under each server's label.
    io = 'sum by (server, route) (lab_http_request_duration_seconds_count{route=~"io_.*"})'
    wanted = {("wsgi", "io_sync"), ("asgi", "io_async")}
    served = _eventually(
        "the load in lab_http_request_duration_seconds_count",
        lambda: r if (r := query(io, "server", "route")).keys() >= wanted else None,
    )
    # Each server saw at least what Locust had counted for it when it stopped.
    for target, _, path in SWARMS:
        row = _row(swarmed[target], path)
        assert served[(target, path.strip("/").replace("/", "_"))] >= row["num_requests"]
    # The upstream answered both servers' calls, and Locust's own metrics were scraped.
    total = sum(_row(stats, "Aggregated")["num_requests"] for stats in swarmed.values())
    calls = "sum(upstream_requests_total)"
    _eventually(f"{calls} >= {total}", lambda: True if query(calls).get((), 0.0) >= total else None)
    workers = _eventually("locust_workers", lambda: query("max(locust_workers)") or None)
    assert workers == {(): float(LOCUST_WORKERS)}


PHASE_QUERY = 'lab_exercise_phase{exercise="blocking-in-async"} == 1'


def test_an_exercise_on_the_host_finds_the_stack_and_marks_its_phases(
    stack: Stack, swarmed: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    """`lab exercise run` on the host against the stack: it sees the lab (its placement says
    which server each phase measured, or why its own), and compose's Prometheus scrapes its
    phase gauge through host.docker.internal (Docker's bridge on Linux)."""
    out = tmp_path / "results.json"
    ports = {name: value for name, value in stack.env.items() if name.endswith("_PORT")}
    api = stack.url("PROMETHEUS_PORT") + "/api/v1/query"
    with subprocess.Popen(
        [sys.executable, "-m", "lab", "exercise", "run", "blocking-in-async", "--short",
         "--json", str(out)],
        cwd=REPO,
        env={**os.environ, **ports, "LAB_VAR_DIR": str(tmp_path / "var")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as run:  # fmt: skip
        try:
            phases = _eventually(
                "lab_exercise_phase in compose's Prometheus",
                # This run's phases only: another run on the host may serve its own gauge.
                lambda: (
                    httpx.get(api, params={"query": PHASE_QUERY}, timeout=10).json()["data"][
                        "result"
                    ]
                    or None
                ),
                timeout=90,
            )
            stdout, stderr = run.communicate(timeout=180)
        finally:
            if run.poll() is None:
                run.kill()
    assert phases[0]["metric"]["phase"] in ("async-blocking", "async")
    assert run.returncode in (0, 1), stdout + stderr
    placements = [p["placement"] for p in json.loads(out.read_text())["exercises"][0]["phases"]]
    asgi = stack.url("ASGI_PORT")
    for placement in placements:
        assert placement == f"on the running lab's asgi server ({asgi})" or placement.startswith(
            "own asgi server: the running lab's has "
        ), placement


@pytest.mark.parametrize(
    ("port", "path"), [("WSGI_PORT", "/db/sync"), ("ASGI_PORT", "/db/async")], ids=["wsgi", "asgi"]
)
def test_db_scenario_runs_on_postgres(stack: Stack, port: str, path: str) -> None:
    reply = httpx.get(stack.url(port) + path, params={"delay_ms": 150}, timeout=30)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["vendor"] == "postgresql"
    assert body["elapsed_ms"] >= 150  # pg_sleep really waited


def test_migrate_ran_against_postgres(stack: Stack) -> None:
    log = stack.compose("logs", "--no-color", "migrate")
    # Django prints this once it has read the migration state from the database.
    assert "Operations to perform" in log or "No migrations to apply" in log, log


def test_grafana_password_is_generated_once_and_kept(stack: Stack) -> None:
    if "grafana" in stack.services:
        # `up` started Grafana, so grafana-init has already run once: it generated the password.
        first = stack.compose("logs", "--no-color", "grafana-init")
    else:
        first = stack.compose("run", "--rm", "--no-deps", "grafana-init")
    again = stack.compose("run", "--rm", "--no-deps", "grafana-init")
    assert "generated" in first, first
    assert "kept" in again, again


DASHBOARD_UIDS = {"lab-sync-vs-async", "lab-load-generator", "lab-slow-upstream"}


def test_grafana_reads_prometheus_and_lists_the_dashboards(stack: Stack) -> None:
    if "grafana" not in stack.services:
        pytest.skip(
            "Grafana was left out: its image is not available on this engine (nothing can be"
            " pulled here), so its datasource and dashboards cannot be checked"
        )
    password = stack.compose(
        "exec", "-T", "grafana", "cat", "/run/secrets/lab/grafana_admin_password"
    ).strip()
    with httpx.Client(
        base_url=stack.url("GRAFANA_PORT"), auth=("admin", password), timeout=10
    ) as client:

        def datasource_ok() -> dict[str, Any] | None:
            reply = client.get("/api/datasources/uid/lab-prometheus/health")
            body: dict[str, Any] = reply.json()
            return body if reply.status_code == 200 and body.get("status") == "OK" else None

        _eventually("Grafana's Prometheus datasource healthy", datasource_ok)

        def dashboards() -> set[str] | None:
            found = client.get("/api/search", params={"type": "dash-db"}).json()
            uids = {d["uid"] for d in found}
            return uids if uids >= DASHBOARD_UIDS else None

        # Provisioning loads the files shortly after Grafana reports healthy.
        _eventually(f"dashboards {sorted(DASHBOARD_UIDS)} in /api/search", dashboards)


def test_a_setting_recreates_only_the_services_that_read_it(stack: Stack) -> None:
    """As docs/docker.md promises: `up` with a changed setting replaces the containers of the
    services that read it and no other (compose also recreates along depends_on, which is why
    nothing long-running depends on a server or on the upstream)."""

    def containers() -> dict[str, set[str]]:
        return {s: set(stack.compose("ps", "--quiet", s).split()) for s in stack.services}

    def replaced_by(**changed: str) -> set[str]:
        before = containers()
        env = {**stack.env, **changed}
        _compose(
            stack.project, env, "up", "--detach", "--wait", "--wait-timeout", "180",
            *stack.services, timeout=400,
        )  # fmt: skip
        stack.env.update(changed)  # what the stack now runs with
        after = containers()
        return {s for s in stack.services if before[s] != after[s]}

    assert replaced_by(SLOW_DELAY_MS="250") == {"upstream"}
    assert replaced_by(WEB_WORKERS="3") == {"django-wsgi", "django-asgi"}
    assert replaced_by() == set()  # the same settings again: nothing


def test_scaling_workers_restarts_nothing_else(stack: Stack) -> None:
    """As the docs say: with LOCUST_WORKERS unchanged, `--scale locust-worker=N` only adds
    workers (last in this file: it changes the number of workers)."""

    def containers() -> dict[str, set[str]]:
        return {s: set(stack.compose("ps", "--quiet", s).split()) for s in stack.services}

    before = containers()
    scaled = LOCUST_WORKERS + 1
    stack.compose(
        "up", "--detach", "--wait", "--wait-timeout", "120",
        "--scale", f"locust-worker={scaled}", *stack.services, timeout=300,
    )  # fmt: skip
    after = containers()
    for service in stack.services:
        if service == "locust-worker":
            assert before[service] < after[service]
            assert len(after[service]) == scaled
        else:
            assert after[service] == before[service], f"{service} was recreated"

    def joined() -> bool | None:
        reply = httpx.get(stack.url("LOCUST_WEB_PORT") + "/stats/requests", timeout=10)
        return reply.json()["worker_count"] == scaled or None

    _eventually(f"{scaled} workers connected to the master", joined)
