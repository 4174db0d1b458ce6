"""`lab up` as a user runs it: a real process tree on 127.0.0.1, stopped by a signal."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest
from lab_processes import kill_all

from lab.runner import free_port

pytestmark = pytest.mark.integration


def lab_env(tmp_path: Path, **ports: int) -> dict[str, str]:
    env = {**os.environ, "LAB_VAR_DIR": str(tmp_path)}
    env.update({k.upper(): str(v) for k, v in ports.items()})
    # No UPSTREAM_URL: the lab must derive it from UPSTREAM_PORT (the /io/* check proves it).
    env.pop("UPSTREAM_URL", None)
    return env


def start_up(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "lab", "up", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def read_until(proc: subprocess.Popen[str], marker: str, timeout: float = 90) -> str:
    assert proc.stdout is not None
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if marker in line:
            return "".join(seen)
    raise AssertionError(f"{marker!r} not printed; output:\n{''.join(seen)}")


@pytest.fixture
def ports() -> dict[str, int]:
    return {"upstream_port": free_port(), "wsgi_port": free_port(), "asgi_port": free_port()}


@pytest.mark.parametrize(
    "sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["ctrl-c", "sigterm", "sighup"]
)
def test_up_serves_both_servers_and_a_signal_stops_every_process(
    tmp_path: Path, ports: dict[str, int], sig: signal.Signals
) -> None:
    env = lab_env(tmp_path, **ports)
    proc = start_up(env, "--only", "upstream,wsgi,asgi")
    try:
        out = read_until(proc, "Press Ctrl-C")
        for name in ("upstream", "wsgi", "asgi"):
            assert f"http://127.0.0.1:{ports[name + '_port']}" in out
        for port in (ports["wsgi_port"], ports["asgi_port"]):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=10) as r:
                assert r.status == 200
            # The app reaches the upstream on its moved port.
            url = f"http://127.0.0.1:{port}/io/sync?delay_ms=0"
            with urllib.request.urlopen(url, timeout=10) as r:
                assert r.status == 200
        children = psutil.Process(proc.pid).children(recursive=True)
        assert len(children) >= 3
        proc.send_signal(sig)
        rest, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0
        assert "lab up: stopped" in rest
        _gone, alive = psutil.wait_procs(children, timeout=10)
        assert alive == [], f"left behind: {alive}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_ctrl_c_again_during_the_shutdown_still_stops_every_process(
    tmp_path: Path, ports: dict[str, int]
) -> None:
    env = lab_env(tmp_path, **ports)
    proc = start_up(env, "--only", "upstream,wsgi,asgi")
    children: list[psutil.Process] = []
    try:
        read_until(proc, "Press Ctrl-C")
        children = psutil.Process(proc.pid).children(recursive=True)
        proc.send_signal(signal.SIGINT)
        read_until(proc, "lab up: stopping")
        # An impatient user: Ctrl-C and SIGTERM again and again while the services stop.
        for i in range(20):
            if proc.poll() is not None:
                break
            proc.send_signal(signal.SIGINT if i % 2 else signal.SIGTERM)
            time.sleep(0.02)
        rest, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0, rest
        assert "lab up: stopped" in rest
        assert "Traceback" not in rest
        _gone, alive = psutil.wait_procs(children, timeout=10)
        assert alive == [], f"left behind: {alive}"
    finally:
        kill_all(proc, children)


def test_a_busy_port_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        env = lab_env(tmp_path, upstream_port=port)
        r = subprocess.run(
            [sys.executable, "-m", "lab", "up", "--only", "upstream"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert r.returncode == 2
    assert r.stdout.strip() == (
        f"lab up: port {port} (upstream) is already in use: is a lab already running? "
        "Stop it, or set UPSTREAM_PORT to a free port."
    )


def test_a_service_that_dies_at_start_stops_the_lab(tmp_path: Path) -> None:
    # A settings module that does not exist: gunicorn's workers cannot boot, so it exits.
    env = lab_env(tmp_path, wsgi_port=free_port())
    env["DJANGO_SETTINGS_MODULE"] = "no_such_settings"
    proc = start_up(env, "--only", "wsgi")
    out, _ = proc.communicate(timeout=90)
    assert proc.returncode == 1, out
    assert "wsgi" in out
    assert "stopping the lab" in out


def test_a_crashed_service_is_restarted_and_the_lab_keeps_running(
    tmp_path: Path, ports: dict[str, int]
) -> None:
    env = lab_env(tmp_path, upstream_port=ports["upstream_port"])
    proc = start_up(env, "--only", "upstream")
    try:
        read_until(proc, "Press Ctrl-C")
        (server,) = psutil.Process(proc.pid).children()
        server.kill()  # what `kill -9` of the upstream does
        read_until(proc, "upstream exited with code -9; restarting it in 1 s")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                url = f"http://127.0.0.1:{ports['upstream_port']}/healthz"
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        break
            time.sleep(0.2)
        else:
            raise AssertionError("the upstream did not come back")
        assert proc.poll() is None  # the lab is still up
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0
        assert "lab up: stopped" in rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


@pytest.mark.usefixtures("nginx_binary")
def test_with_the_proxy_on_nginx_takes_the_servers_ports(
    tmp_path: Path, ports: dict[str, int]
) -> None:
    backends = {"wsgi_backend_port": free_port(), "asgi_backend_port": free_port()}
    env = lab_env(tmp_path, **ports, **backends)
    env["LAB_PROXY"] = "nginx"
    proc = start_up(env, "--only", "upstream,wsgi")  # asgi and nginx come with it
    children: list[psutil.Process] = []
    try:
        out = read_until(proc, "Press Ctrl-C")
        assert "LAB_PROXY=nginx: starting asgi, nginx too" in out
        assert f"through nginx (itself on :{backends['wsgi_backend_port']})" in out
        for name in ("wsgi", "asgi"):
            # The port users know goes through nginx; the backend port is the server itself.
            public = f"http://127.0.0.1:{ports[name + '_port']}/io/sync?delay_ms=0"
            with urllib.request.urlopen(public, timeout=10) as r:
                assert r.headers["Server"] == "nginx"
            direct = f"http://127.0.0.1:{backends[name + '_backend_port']}/ping"
            with urllib.request.urlopen(direct, timeout=10) as r:
                assert r.headers["Server"] != "nginx"
        children = psutil.Process(proc.pid).children(recursive=True)
        assert any(c.name() == "nginx" for c in children)
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0, rest
        _gone, alive = psutil.wait_procs(children, timeout=10)
        assert alive == [], f"left behind: {alive}"
    finally:
        kill_all(proc, children)
