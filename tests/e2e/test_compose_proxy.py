"""nginx in front of both servers in compose (LAB_PROXY=nginx), end to end on a real Docker
engine.

Starts the smallest stack that shows the proxy, the way a user does: `lab compose up` with
LAB_PROXY=nginx, which merges docker-compose.nginx.yml over docker-compose.yml, leaving out
(`--without`) Locust, Prometheus and Grafana; what stays is nginx, both servers, the upstream,
and Postgres with its migration (the servers' database). It runs under a project name of its
own (COMPOSE_PROJECT_NAME) with the committed defaults (COMPOSE_ENV_FILES=.env.example, not a
developer's .env) and every published port on a free 127.0.0.1 port, and is always torn down
with `lab compose down --volumes`; when a test failed, the services' last log lines are
printed first.

Through the proxy on WSGI_PORT and ASGI_PORT: both servers answer, say on /healthz that nginx
is in front, and report the wait in front of Django as Server-Timing's `queue` (from nginx's
X-Request-Start); and two idle connections, which hold both of gunicorn's sync workers when
they reach them (until the worker timeout, about two minutes), do not hold back a /ping.

No Docker engine: the test skips and says why; with CI set, it fails instead.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from compose_engine import checked, print_past_capture, require_engine

from contracts.paths import REPO
from contracts.settings import LabSettings
from contracts.topology import BY_NAME
from lab.compose import compose_argv, compose_files
from lab.runner import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

PUBLISHED = ("UPSTREAM_PORT", "WSGI_PORT", "ASGI_PORT")
LEFT_OUT = ("locust-master", "locust-worker", "prometheus", "grafana")
SERVERS = {"wsgi": "WSGI_PORT", "asgi": "ASGI_PORT"}
PREMISE = {"WSGI_SERVER": "gunicorn", "WSGI_WORKER_CLASS": "sync", "WEB_WORKERS": "2"}
# Far above a /ping through nginx on a busy machine, far below gunicorn's worker timeout.
PING_TIMEOUT_S = 5.0


@dataclass
class Stack:
    project: str
    env: dict[str, str]
    up_output: str

    def lab(self, *args: str, timeout: float = 120, check: bool = True) -> str:
        """`lab compose ARGS`, as a user runs it, in this stack's environment."""
        argv = [sys.executable, "-m", "lab", "compose", *args]
        shown = f"lab compose {' '.join(args)}"
        done = checked(argv, shown, self.env, timeout=timeout, check=check, cwd=str(REPO))
        return done.stdout + done.stderr

    def compose(self, *args: str, timeout: float = 120, check: bool = True) -> str:
        """A plain `docker compose` call on the files `lab compose` uses with the proxy on."""
        argv = compose_argv(*args, files=compose_files(LabSettings(lab_proxy="nginx")))
        shown = f"docker compose {' '.join(args)}"
        return checked(argv, shown, self.env, timeout=timeout, check=check).stdout

    def url(self, port_name: str) -> str:
        return f"http://127.0.0.1:{self.env[port_name]}"


@pytest.fixture(scope="module")
def stack(request: pytest.FixtureRequest) -> Iterator[Stack]:
    require_engine("the compose proxy test")

    env = {
        **os.environ,
        "LAB_PROXY": "nginx",
        "LAB_PUBLISH_HOST": "",
        # The premise of the idle-connection test: two sync workers, so two connections that
        # reach them hold them all (the defaults, pinned against the caller's environment).
        **PREMISE,
        "COMPOSE_PROJECT_NAME": f"asynclab-e2e-proxy-{uuid.uuid4().hex[:8]}",
        "COMPOSE_ENV_FILES": str(REPO / ".env.example"),
        **{name: str(free_port()) for name in PUBLISHED},
    }
    stack = Stack(env["COMPOSE_PROJECT_NAME"], env, "")
    failed_before = request.session.testsfailed
    setup_failed = False
    try:
        # `up` builds only images that are missing: build the servers' and the upstream's
        # from this source first (cached after the first run).
        stack.compose("build", "django-wsgi", "django-asgi", "upstream", timeout=1500)
        started = time.monotonic()
        without = [arg for name in LEFT_OUT for arg in ("--without", name)]
        stack.up_output = stack.lab("up", *without, timeout=600)
        print(f"e2e: `lab compose up` with the proxy took {time.monotonic() - started:.1f} s")
        yield stack
    except BaseException:
        setup_failed = True
        raise
    finally:
        if setup_failed or request.session.testsfailed > failed_before:
            _dump(stack, request.config)
        stack.lab("down", "--volumes", timeout=300, check=False)


def _dump(stack: Stack, config: pytest.Config) -> None:
    """What the containers said, for a failed run."""
    text = "\n".join(
        (
            f"\ne2e: a test failed; the state of {stack.project} before `down`:",
            stack.compose("ps", "--all", check=False),
            stack.compose("logs", "--no-color", "--tail", "60", timeout=60, check=False),
        )
    )
    print_past_capture(text, config)


def test_nginx_takes_the_servers_ports_and_the_servers_are_published_no_more(
    stack: Stack,
) -> None:
    # `lab compose up` lists nginx on both servers' ports, and the servers as behind it.
    wsgi, asgi = stack.env["WSGI_PORT"], stack.env["ASGI_PORT"]
    assert f"(:{wsgi}, :{asgi})" in stack.up_output, stack.up_output
    published = {
        row["Service"]: {p["PublishedPort"] for p in row["Publishers"] if p["PublishedPort"]}
        for row in map(json.loads, stack.compose("ps", "--format", "json").splitlines())
    }
    assert published["nginx"] == {int(wsgi), int(asgi)}
    assert published["django-wsgi"] == published["django-asgi"] == set()


@pytest.mark.parametrize("server", SERVERS)
def test_each_server_answers_through_the_proxy_and_knows_it(stack: Stack, server: str) -> None:
    base = stack.url(SERVERS[server])
    facts = httpx.get(base + "/healthz", timeout=10)
    assert facts.headers["server"] == "nginx"
    assert facts.json()["server"] == server
    assert facts.json()["settings"]["lab_proxy"] == "nginx"
    assert httpx.get(base + "/ping", timeout=10).json() == {"pong": True, "server": server}
    for path in ("/io/sync", "/io/async"):
        reply = httpx.get(base + path, params={"delay_ms": 50}, timeout=30)
        assert reply.status_code == 200, reply.text
        assert reply.json()["server"] == server  # through nginx to the upstream and back
        assert reply.headers["server"] == "nginx"


@pytest.mark.parametrize("server", SERVERS)
def test_server_timing_carries_the_wait_in_front_of_django(stack: Stack, server: str) -> None:
    # nginx stamps X-Request-Start when it passes the request on; Django reports the wait.
    timing = httpx.get(stack.url(SERVERS[server]) + "/ping", timeout=10).headers["server-timing"]
    queue = [part for part in timing.split(", ") if part.startswith("queue;dur=")]
    assert len(queue) == 1, timing
    waited_ms = float(queue[0].split(";")[1].removeprefix("dur="))
    assert 0 <= waited_ms < 10_000, timing


def test_idle_connections_to_the_proxy_do_not_hold_back_the_sync_workers(stack: Stack) -> None:
    """Issue 13, defect 5: two idle connections straight to gunicorn hold both of its sync
    workers until the worker timeout; through nginx they cost nginx connections only."""
    base = stack.url("WSGI_PORT")
    shaping = httpx.get(base + "/healthz", timeout=10).json()["settings"]
    # What makes two idle connections enough to freeze the server when they reach it.
    assert {name: str(shaping[name.lower()]) for name in PREMISE} == PREMISE
    idle = [socket.create_connection(("127.0.0.1", int(stack.env["WSGI_PORT"]))) for _ in "ab"]
    try:
        time.sleep(0.5)  # accepted by whoever accepts them
        started = time.monotonic()
        reply = httpx.get(base + "/ping", timeout=PING_TIMEOUT_S)
        took = time.monotonic() - started
        assert reply.json() == {"pong": True, "server": "wsgi"}
        # The idle connections were still open all along: nginx holds them, not a worker.
        for s in idle:
            s.setblocking(False)
            with pytest.raises(BlockingIOError):
                s.recv(1)
    finally:
        for s in idle:
            s.close()
    print(f"e2e: /ping with two idle connections open took {took * 1000:.0f} ms")
    assert took < PING_TIMEOUT_S


# Run inside the django-wsgi container (the servers are not published): the same two idle
# connections straight to gunicorn, then a /ping with the same timeout. Closing them frees
# the workers at once, so the stack serves again for whatever runs after.
WSGI_INSIDE = f"127.0.0.1:{BY_NAME['wsgi'].container_port}"
DIRECT = f"""
import socket, time, urllib.request
idle = [socket.create_connection(("127.0.0.1", {BY_NAME["wsgi"].container_port})) for _ in "ab"]
time.sleep(0.5)
try:
    urllib.request.urlopen("http://{WSGI_INSIDE}/ping", timeout={PING_TIMEOUT_S})
    print("answered")
except OSError as e:
    print("held back:", e)
finally:
    for s in idle:
        s.close()
"""


def test_the_same_idle_connections_straight_to_gunicorn_hold_it_back(stack: Stack) -> None:
    """The control: without nginx in between, the two idle connections are what freezes the
    WSGI server in this very stack, so the test above would fail if they reached it."""
    said = stack.compose("exec", "-T", "django-wsgi", "python", "-c", DIRECT, timeout=60)
    assert said.startswith("held back:"), said
    # Freed as soon as they closed: /ping answers through the proxy again.
    assert httpx.get(stack.url("WSGI_PORT") + "/ping", timeout=PING_TIMEOUT_S).json()["pong"]


def test_the_proxy_passes_on_the_host_name_locust_uses_in_the_network(stack: Stack) -> None:
    # docker-compose.nginx.yml points Locust at http://nginx:8001 and :8002: that Host reaches
    # the servers unchanged, and they must accept it.
    for server, port_name in SERVERS.items():
        port = BY_NAME[server].container_port
        reply = httpx.get(
            stack.url(port_name) + "/ping", headers={"Host": f"nginx:{port}"}, timeout=10
        )
        assert reply.status_code == 200, reply.text
