"""Locust workers on another machine, played by a network namespace the test makes: a veth
pair joins it to this one, the server and the Locust master listen on this end's address
only, and two workers started inside the namespace (`lab serve locust-worker`, as
docker-compose.workers.yml runs them) join the master and load the server over the link.
A Prometheus, as `lab up` runs it, scrapes the master and counts the workers.

The master's own idea of the server's URL leads nowhere (as a compose master's
`http://django-asgi:8002` does from another machine): a request only succeeds through the
URL the workers were given. Nothing leaves 127.0.0.1 and the pair; the namespace and the
pair go in a `finally`, even when the test fails.
"""

from __future__ import annotations

import contextlib
import dataclasses
import ipaddress
import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from loadgen_lab import Lab, sample, scrape

from lab import runner

pytestmark = [pytest.mark.integration, pytest.mark.prometheus]

WORKERS = 2
USERS = 4
POOL = int(ipaddress.IPv4Address("10.200.0.0"))


@dataclasses.dataclass(frozen=True)
class Link:
    namespace: str
    here: str  # this end's address (the root namespace)
    there: str  # the namespace's end


def ip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=10, check=False)


def _routed() -> list[ipaddress.IPv4Network]:
    """Every IPv4 prefix this machine routes, so the pair's /30 overlaps none of them."""
    nets = []
    for line in ip("-4", "route", "show", "table", "all").stdout.splitlines():
        first = line.split()[0] if line.split() else ""
        if first in ("broadcast", "local", "unicast") and len(line.split()) > 1:
            first = line.split()[1]
        with contextlib.suppress(ValueError):
            if first != "default":
                nets.append(ipaddress.IPv4Network(first, strict=False))
    return nets


def _free_subnet() -> ipaddress.IPv4Network:
    routed = _routed()
    for _ in range(100):
        # A random /30 of 10.200.0.0/13, a private range.
        net = ipaddress.IPv4Network((POOL + 4 * random.randrange(2**17), 30))
        if not any(net.overlaps(r) for r in routed):
            return net
    raise RuntimeError("no free /30 in 10.200.0.0/13")


def _cannot(reason: str) -> None:
    """Skip on a laptop; fail in CI, which runs as root with iproute2 and must prove it."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@contextlib.contextmanager
def namespace() -> Iterator[Link]:
    if shutil.which("ip") is None:
        _cannot("no `ip` on PATH (Debian: apt-get install iproute2)")
    tag = secrets.token_hex(3)  # unique per run; interface names stay under 15 characters
    name, here_if, there_if = f"asynclab-{tag}", f"alab{tag}h", f"alab{tag}t"
    made = ip("netns", "add", name)
    if made.returncode != 0:
        _cannot(f"cannot make a network namespace here: {made.stderr.strip()}")
    try:
        net = _free_subnet()
        here, there = (str(h) for h in net.hosts())
        for step in (
            ("link", "add", here_if, "type", "veth", "peer", "name", there_if, "netns", name),
            ("addr", "add", f"{here}/30", "dev", here_if),
            ("link", "set", here_if, "up"),
            ("-n", name, "addr", "add", f"{there}/30", "dev", there_if),
            ("-n", name, "link", "set", there_if, "up"),
            ("-n", name, "link", "set", "lo", "up"),
        ):
            done = ip(*step)
            assert done.returncode == 0, f"ip {' '.join(step)}: {done.stderr}"
        yield Link(name, here, there)
    finally:
        ip("netns", "del", name)  # takes its end of the pair, and so the pair, with it
        ip("link", "del", here_if)  # in case the pair was made but the namespace is stuck


def post(url: str, form: dict[str, str]) -> dict[str, object]:
    data = urllib.parse.urlencode(form).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10) as r:
        answer: dict[str, object] = json.loads(r.read())
        return answer


def test_workers_in_another_namespace_join_the_master_and_share_the_swarm(
    lab: Lab, prometheus_binary: str, tmp_path: Path
) -> None:
    with namespace() as link:
        # The server and the master on this end's address only; the master thinks the
        # server is where nothing listens.
        server = dataclasses.replace(
            lab.settings,
            lab_host=link.here,
            asgi_port=runner.free_port(),
            upstream_url=lab.upstream,
            lab_var_dir=str(tmp_path / "var"),
        )
        master = dataclasses.replace(
            server,
            locust_web_port=runner.free_port(),
            locust_master_port=runner.free_port(),
            locust_workers=WORKERS,
            prometheus_port=runner.free_port(),
        )
        master_env = {**os.environ, "LOCUST_ASGI_URL": "http://127.0.0.1:9"}
        worker_env = {
            **os.environ,
            **master.as_env(),
            "LOCUST_MASTER_NODE_HOST": link.here,
            "LOCUST_ASGI_URL": server.url(server.asgi_port),
        }
        worker_argv = ["ip", "netns", "exec", link.namespace]
        worker_argv += [sys.executable, "-m", "lab", "serve", "locust-worker"]
        with (
            runner.running("asgi", server),
            runner.running("locust", master, base_env=master_env) as web,
            runner.running("prometheus", master) as prometheus,
            (tmp_path / "workers.log").open("wb") as log,
        ):
            workers = [
                subprocess.Popen(
                    worker_argv,
                    env=worker_env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
                for _ in range(WORKERS)
            ]
            try:
                _swarm_and_check(web, workers, tmp_path / "workers.log")
                assert _prometheus_value(prometheus, "locust_workers") == WORKERS
            finally:
                for w in workers:
                    runner.stop(w)


def _prometheus_value(prometheus: str, query: str) -> float:
    """The query's value once Prometheus has scraped the master (every 2 s), or nan."""
    url = prometheus + "/api/v1/query?" + urllib.parse.urlencode({"query": query})
    deadline, value = time.monotonic() + 20, float("nan")
    while time.monotonic() < deadline:
        with urllib.request.urlopen(url, timeout=5) as r:
            result = json.loads(r.read())["data"]["result"]
        if result:
            value = float(result[0]["value"][1])
            if value == WORKERS:
                break
        time.sleep(0.5)
    return value


def _swarm_and_check(web: str, workers: list[subprocess.Popen[bytes]], log: Path) -> None:
    deadline, text = time.monotonic() + 30, ""
    while time.monotonic() < deadline and sample(text, "locust_workers") < WORKERS:
        assert all(w.poll() is None for w in workers), log.read_text()[-3000:]
        time.sleep(0.3)
        text = scrape(web + "/metrics")
    assert sample(text, "locust_workers") == WORKERS, log.read_text()[-3000:]

    form = {"user_count": str(USERS), "spawn_rate": str(USERS), "host": ""}
    form |= {"user_classes": "IoAsyncUser", "target": "asgi", "delay_ms": "50"}
    started = post(web + "/swarm", form)
    assert started["success"] is True, started
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            text = scrape(web + "/metrics")
            if sample(text, "locust_requests_total", name="/io/async") >= 40:
                break
            time.sleep(0.5)
        with urllib.request.urlopen(web + "/stats/requests", timeout=10) as r:
            report = json.loads(r.read())
    finally:
        post(web + "/stop", {})
    # Every request went through the workers' own URL, over the link: none failed.
    assert sample(text, "locust_requests_total", name="/io/async") >= 40, text
    assert sample(text, "locust_failures_total", name="/io/async") == 0, text
    assert sample(text, "locust_workers") == WORKERS, text
    assert sample(text, "locust_users", user_class="IoAsyncUser") == USERS, text
    # The swarm spread: each worker runs its share of the users.
    shares = sorted(w["user_count"] for w in report["workers"])
    assert shares == [USERS // WORKERS] * WORKERS, report["workers"]
