"""`lab up`: the whole lab as local processes on 127.0.0.1, no Docker.

Starts each service the way `lab serve` runs it (upstream first), waits for its health,
prints the URLs and prefixes every log line with the service name. A service that crashes
once the lab is up is restarted with a growing delay, as compose's `restart: unless-stopped`
does; one that keeps crashing (RESTART_LIMIT times within RESTART_WINDOW_S) stops the lab.
Ctrl-C, SIGTERM or SIGHUP stop everything it started.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO

from contracts.servers import describe as describe_server
from contracts.settings import LabSettings
from contracts.topology import BY_NAME, NGINX, SERVICES, Service
from lab import pin, runner, signals

# A service that exits more often than this within the window is given up on.
RESTART_LIMIT = 5
RESTART_WINDOW_S = 60.0
# The wait before each restart doubles from the first to the last (1, 2, 4, 8, ... s).
RESTART_DELAY_S = (1.0, 16.0)


@dataclass
class Running:
    name: str
    label: str
    proc: subprocess.Popen[bytes]
    pump: threading.Thread
    exits: list[float] = field(default_factory=list)  # monotonic times of its crashes


UNINSTRUMENTED = (
    "LAB_INSTRUMENTATION=off: the servers record no metrics, so the dashboards stay empty "
    "and lab exercise run refuses"
)


def restart_delay(recent_exits: int) -> float | None:
    """Seconds to wait before restarting a service that has exited `recent_exits` times within
    the window, or None when it keeps crashing and the lab should stop."""
    if recent_exits > RESTART_LIMIT:
        return None
    first, last = RESTART_DELAY_S
    return float(min(last, first * 2 ** (recent_exits - 1)))


def plan(
    settings: LabSettings, only: Sequence[str] | None = None
) -> tuple[list[Service], list[str]]:
    """Which services to start, and a note for each one skipped or added."""
    chosen: list[Service] = []
    notes: list[str] = []
    wanted = _with_proxy(settings, only, notes)
    for service in SERVICES:
        if wanted and service.name not in wanted:
            continue
        if not service.runs(settings):
            if wanted:  # asked for by name: say why not
                notes.append(f"{service.name}: skipped, LAB_PROXY={settings.lab_proxy}")
            continue
        if service.needs_binary and shutil.which(service.needs_binary) is None:
            notes.append(f"{service.name}: skipped, no `{service.needs_binary}` on PATH")
            continue
        chosen.append(service)
    return chosen, notes


def _with_proxy(settings: LabSettings, only: Sequence[str] | None, notes: list[str]) -> set[str]:
    """`only`, plus, with the proxy on, the proxy and both its servers when any of them is
    asked for: a server behind it listens on its backend port, and the proxy stands in front
    of both."""
    wanted = set(only or ())
    if not (only and settings.proxy_on):
        return wanted
    together = {NGINX.name, *NGINX.fronts}
    added = sorted(together - wanted) if wanted & together else []
    if added:
        notes.append(
            f"LAB_PROXY={settings.lab_proxy}: starting {', '.join(added)} too (the proxy "
            "stands in front of both servers)"
        )
    return wanted | set(added)


def missing_proxy(settings: LabSettings, services: Sequence[Service]) -> str | None:
    """With the proxy on, the servers would listen behind a proxy that does not start: say
    so instead of starting a lab whose ports nothing answers."""
    fronted = any(s.behind_proxy(settings) for s in services)
    if fronted and NGINX not in services:
        return (
            f"LAB_PROXY={settings.lab_proxy} needs `{NGINX.needs_binary}` on PATH (Debian: "
            "apt-get install nginx-light, or nginx), or set LAB_PROXY=off"
        )
    return None


def clashing_ports(settings: LabSettings, services: Sequence[Service]) -> str | None:
    """One line naming the settings that give two services one port, or None."""
    by_port: dict[int, list[str]] = {}
    for s in services:
        for port, setting in zip(
            s.listen_ports(settings), _port_settings(s, settings), strict=True
        ):
            by_port.setdefault(port, []).append(setting.upper())
    clashes = [
        f"{' and '.join(names)} are both {port}"
        for port, names in by_port.items()
        if len(names) > 1
    ]
    if not clashes:
        return None
    return f"{'; '.join(clashes)}: give each service a port of its own"


def busy_ports(settings: LabSettings, services: Sequence[Service]) -> str | None:
    """One line naming every busy port, or None when all are free."""
    busy = [
        (port, s.name, setting)
        for s in services
        for port, setting in zip(s.listen_ports(settings), _port_settings(s, settings), strict=True)
        if runner.port_in_use(settings.lab_host, port)
    ]
    if not busy:
        return None
    ports = ", ".join(f"{port} ({name})" for port, name, _ in busy)
    names = ", ".join(dict.fromkeys(setting.upper() for _, _, setting in busy))
    if len(busy) == 1:
        return (
            f"port {ports} is already in use: is a lab already running? "
            f"Stop it, or set {names} to a free port."
        )
    return (
        f"ports {ports} are already in use: is a lab already running? "
        f"Stop it, or set {names} to free ports."
    )


def _port_settings(service: Service, settings: LabSettings) -> list[str]:
    """The setting holding each of `listen_ports`, to name in a message."""
    if service.fronts:
        return [BY_NAME[name].port_setting for name in service.fronts]
    if service.behind_proxy(settings):
        assert service.backend_port_setting is not None
        return [service.backend_port_setting]
    return [service.port_setting]


def _pump(label: str, stream: IO[bytes], out: IO[str], lock: threading.Lock) -> None:
    prefix = f"{label:<15}| "
    for raw in iter(stream.readline, b""):
        line = raw.decode(errors="replace").rstrip()
        with lock:
            out.write(prefix + line + "\n")
            out.flush()


def up(
    settings: LabSettings,
    only: Sequence[str] | None = None,
    out: IO[str] = sys.stdout,
    health_timeout: float = 60.0,
    env: Mapping[str, str] | None = None,
) -> int:
    """Start the chosen services, watch them until a signal or a service's death, then stop
    them all. Exit code: 2 if nothing could start, 1 if a service failed, 0 after a signal."""
    services, notes = plan(settings, only)
    # Before any early return: "nothing to start" alone would not say why.
    if not settings.instrumented:
        notes.append(UNINSTRUMENTED)
    for note in notes:
        out.write(f"lab up: {note}\n")
    if not services:
        out.write("lab up: nothing to start\n")
        return 2
    problem = (
        missing_proxy(settings, services)
        or clashing_ports(settings, services)
        or busy_ports(settings, services)
    )
    if problem:
        out.write(f"lab up: {problem}\n")
        return 2

    if settings.lab_pin:
        out.write(f"lab up: {pin.machine_plan().describe()}\n")
    lab = _Lab(settings, out, env)
    code = 0  # stopped by a signal
    with signals.stop_on_signals(cleanup=lab.stop):
        try:
            lab.start(services, health_timeout)
            code = lab.watch()
        except runner.ServiceFailed as e:
            out.write(f"lab up: {e}; stopping the lab\n")
            code = 1
    return code


class _Lab:
    """The services `lab up` started, with their log pumps and the output they share."""

    def __init__(self, settings: LabSettings, out: IO[str], env: Mapping[str, str] | None) -> None:
        self.settings = settings
        self.out = out
        self.env = env
        self.lock = threading.Lock()
        self.started: list[Running] = []

    def start(self, services: Sequence[Service], health_timeout: float) -> None:
        """Each service once the one before is healthy (Locust's workers after their master),
        then the URLs."""
        for s in services:
            self.out.write(f"lab up: starting {s.name} ({describe(s, self.settings)}) ...\n")
            proc = self._launch(s.name, s.name).proc
            # The process itself; the proxy, through to the first server behind it.
            runner.wait_healthy(s.own_url(self.settings) + s.health_path, proc, health_timeout)
            if s.name == "locust" and self.settings.locust_workers:
                for i in range(1, self.settings.locust_workers + 1):
                    self._launch("locust-worker", f"locust-worker-{i}")
                _wait_for_workers(
                    s.url(self.settings), self.settings.locust_workers, health_timeout
                )
        _print_urls(self.settings, services, self.out, self.lock)

    def watch(self) -> int:
        """Restart services that exit, until one keeps crashing (1); a signal ends the wait."""
        while True:
            for r in list(self.started):
                rc = r.proc.poll()
                if rc is not None and not self._restart(r, rc):
                    return 1
            time.sleep(0.2)

    def _restart(self, r: Running, rc: int) -> bool:
        """Restart `r` after its backoff delay; False when it keeps crashing."""
        now = time.monotonic()
        r.exits = [t for t in r.exits if now - t < RESTART_WINDOW_S] + [now]
        delay = restart_delay(len(r.exits))
        if delay is None:
            self._say(
                f"lab up: {r.label} exited with code {rc}, {len(r.exits)} times within "
                f"{RESTART_WINDOW_S:.0f} s; stopping the lab"
            )
            return False
        self._say(f"lab up: {r.label} exited with code {rc}; restarting it in {delay:.0f} s")
        time.sleep(delay)  # a signal interrupts this sleep and stops the lab
        r.pump.join(timeout=2)
        self.started.remove(r)
        self._launch(r.name, r.label).exits = r.exits
        return True

    def _say(self, line: str) -> None:
        with self.lock:
            self.out.write(line + "\n")
            self.out.flush()

    def stop(self, interrupted: bool) -> None:
        """Stop every service started, last first (each bounded by runner.stop)."""
        if interrupted:
            self.out.write("\nlab up: stopping ...\n")
        for r in reversed(self.started):
            runner.stop(r.proc)
        for r in self.started:
            r.pump.join(timeout=2)
        self.out.write("lab up: stopped\n")

    def _launch(self, name: str, label: str) -> Running:
        proc = runner.start(name, self.settings, subprocess.PIPE, self.env)
        assert proc.stdout is not None
        pump = threading.Thread(
            target=_pump, args=(label, proc.stdout, self.out, self.lock), daemon=True
        )
        pump.start()
        running = Running(name, label, proc, pump)
        self.started.append(running)
        return running


def _wait_for_workers(locust_url: str, expected: int, timeout: float) -> None:
    """Until the Locust master counts `expected` connected workers (its /metrics)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError):
            with urllib.request.urlopen(locust_url + "/metrics", timeout=2) as r:
                text = r.read().decode()
            match = re.search(r"^locust_workers (\S+)$", text, re.MULTILINE)
            if match and float(match[1]) >= expected:
                return
        time.sleep(0.3)
    raise runner.ServiceFailed(f"locust: {expected} workers did not connect in {timeout:.0f} s")


def describe(service: Service, settings: LabSettings) -> str:
    """A service's description as these settings run it."""
    text = _describe(service, settings)
    if service.behind_proxy(settings):
        return f"{text}, through {settings.lab_proxy} (itself on :{service.listen_port(settings)})"
    if service.fronts:
        ports = ", ".join(f":{BY_NAME[n].port(settings)} {n}" for n in service.fronts)
        return f"{text} ({ports})"
    return text


def _describe(service: Service, settings: LabSettings) -> str:
    if service.name in ("wsgi", "asgi"):
        return describe_server("wsgi" if service.name == "wsgi" else "asgi", settings)
    if service.name == "locust" and settings.locust_workers:
        return f"{service.description}, master of {settings.locust_workers} workers"
    return service.description


def _try_line(settings: LabSettings, services: Sequence[Service]) -> str | None:
    names = {s.name for s in services}
    for name, path in (("wsgi", "/io/sync?delay_ms=200"), ("asgi", "/io/async?delay_ms=200")):
        if name in names:
            return f"Try: curl '{settings.url(getattr(settings, name + '_port'))}{path}'"
    if "upstream" in names:
        return f"Try: curl '{settings.url(settings.upstream_port)}/slow?delay_ms=200'"
    return None


def _print_urls(
    settings: LabSettings, services: Sequence[Service], out: IO[str], lock: threading.Lock
) -> None:
    lines = ["", "The lab is up:"]
    for s in services:
        lines.append(f"  {s.name:<11} {s.url(settings):<24} {describe(s, settings)}")
    try_line = _try_line(settings, services)
    lines += ["", *([try_line] if try_line else []), "Press Ctrl-C to stop everything.", ""]
    with lock:
        out.write("\n".join(lines) + "\n")
        out.flush()
