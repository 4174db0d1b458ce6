"""Start a lab service as a child process, wait for its health, stop it and its children.

Used by `lab up` and by the integration tests, so both run the servers exactly the way
`lab serve` does.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from typing import IO

from contracts.settings import LabSettings
from contracts.topology import BY_NAME
from lab import pin


class ServiceFailed(RuntimeError):
    """A service exited or did not become healthy in time."""


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """`count` distinct free ports. Each socket stays bound until all are chosen: one closed
    at once could be handed out again (a CI run gave the upstream and a server's backend the
    same port, and one of them could not bind)."""
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]


def port_in_use(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host if host != "0.0.0.0" else "127.0.0.1", port)) == 0


def start(
    name: str,
    settings: LabSettings,
    output: IO[bytes] | int | None = None,
    base_env: Mapping[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    # base_env: the environment the lab was started with (`lab up` passes .env merged in).
    if name in BY_NAME:
        settings = BY_NAME[name].started_with(settings)
    env = {**(os.environ if base_env is None else base_env), **settings.as_env()}
    cpus = pin.cpus_for(name, settings)
    # Own process group: stopping the service also stops its gunicorn/uvicorn workers.
    return subprocess.Popen(
        [sys.executable, "-m", "lab", "serve", name],
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT if output is not None else None,
        start_new_session=True,
        preexec_fn=functools.partial(_in_child, cpus),
    )


def _in_child(cpus: tuple[int, ...] | None) -> None:
    """In the child, before exec: its CPUs (LAB_PIN; inherited by the workers it forks),
    and its end with the parent's."""
    if cpus is not None:
        os.sched_setaffinity(0, cpus)
    _terminate_with_parent()


def _terminate_with_parent() -> None:
    """In the child, before exec: SIGTERM when the parent dies, even by SIGKILL, so a killed
    `lab up` or test run cannot leave servers behind (the server then stops its own workers).
    Linux only; elsewhere the parent's own cleanup is all there is."""
    if sys.platform == "linux":
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServiceFailed(f"{url}: the process exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise ServiceFailed(f"{url}: not healthy after {timeout:.0f} s")


def stop(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout)
    # Workers can outlive their master if it died first: sweep the whole group.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout)


@contextlib.contextmanager
def running(
    name: str,
    settings: LabSettings,
    *,
    timeout: float = 30.0,
    output: IO[bytes] | int | None = None,
    base_env: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """Run one service until the block ends; yields the URL where it answers itself (a server
    behind the proxy: on its backend port; see `proxy` for the URLs through the proxy)."""
    service = BY_NAME[name]
    proc = start(name, settings, output, base_env)
    try:
        url = service.own_url(settings)
        wait_healthy(url + service.health_path, proc, timeout)
        yield url
    finally:
        stop(proc)


@contextlib.contextmanager
def proxy(
    settings: LabSettings,
    servers: Sequence[str],
    *,
    timeout: float = 30.0,
    output: IO[bytes] | int | None = None,
    base_env: Mapping[str, str] | None = None,
) -> Iterator[dict[str, str]]:
    """Run the proxy (LAB_PROXY) in front of the named servers, already running behind it,
    until the block ends; yields each one's URL through the proxy (its own port)."""
    if not settings.proxy_on:
        raise ValueError("the proxy is off (LAB_PROXY=off)")
    binary = BY_NAME["nginx"].needs_binary
    if binary and shutil.which(binary) is None:
        raise ServiceFailed(
            f"LAB_PROXY={settings.lab_proxy} needs `{binary}` on PATH "
            "(Debian: apt-get install nginx-light, or nginx)"
        )
    proc = start("nginx", settings, output, base_env)
    try:
        urls = {name: BY_NAME[name].url(settings) for name in servers}
        for name, url in urls.items():
            wait_healthy(url + BY_NAME[name].health_path, proc, timeout)
        yield urls
    finally:
        stop(proc)


def with_free_ports(settings: LabSettings, *names: str) -> LabSettings:
    """A copy of the settings with a free port for each named service, and for a server the
    proxy can stand in front of, a free backend port too (for tests)."""
    wanted = [BY_NAME[n].port_setting for n in names]
    wanted += [b for n in names if (b := BY_NAME[n].backend_port_setting) is not None]
    changes = dict(zip(wanted, free_ports(len(wanted)), strict=True))
    new = dataclasses.replace(settings, **changes)  # type: ignore[arg-type]
    return dataclasses.replace(new, upstream_url=new.url(new.upstream_port))
