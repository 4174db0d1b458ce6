"""`lab up`: the whole lab as local processes on 127.0.0.1, no Docker.

Starts each service the way `lab serve` runs it (upstream first), waits for its health,
prints the URLs, prefixes every log line with the service name, and on Ctrl-C, SIGTERM or
the death of any service stops everything it started.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import FrameType
from typing import IO

from contracts.settings import LabSettings
from contracts.topology import SERVICES, Service
from lab import runner


class _Stop(Exception):
    """Raised from the SIGTERM/SIGHUP handler so shutdown runs the same path as Ctrl-C."""


# SIGHUP: the terminal went away; its default action would kill `lab up` and orphan every
# service (each runs in its own session), so it stops the lab like SIGTERM.
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


@dataclass
class Running:
    label: str
    proc: subprocess.Popen[bytes]
    pump: threading.Thread


def plan(
    settings: LabSettings, only: Sequence[str] | None = None
) -> tuple[list[Service], list[str]]:
    """Which services to start, and a note for each one skipped."""
    chosen, notes = [], []
    for service in SERVICES:
        if only and service.name not in only:
            continue
        if service.needs_binary and shutil.which(service.needs_binary) is None:
            notes.append(f"{service.name}: skipped, no `{service.needs_binary}` on PATH")
            continue
        chosen.append(service)
    return chosen, notes


def busy_ports(settings: LabSettings, services: Sequence[Service]) -> str | None:
    """One line naming every busy port, or None when all are free."""
    busy = [s for s in services if runner.port_in_use(settings.lab_host, s.port(settings))]
    if not busy:
        return None
    ports = ", ".join(f"{s.port(settings)} ({s.name})" for s in busy)
    names = ", ".join(s.port_setting.upper() for s in busy)
    if len(busy) == 1:
        return (
            f"port {ports} is already in use: is a lab already running? "
            f"Stop it, or set {names} to a free port."
        )
    return (
        f"ports {ports} are already in use: is a lab already running? "
        f"Stop it, or set {names} to free ports."
    )


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
    services, notes = plan(settings, only)
    # Before any early return: "nothing to start" alone would not say why.
    for note in notes:
        out.write(f"lab up: {note}\n")
    if not services:
        out.write("lab up: nothing to start\n")
        return 2
    problem = busy_ports(settings, services)
    if problem:
        out.write(f"lab up: {problem}\n")
        return 2

    def on_term(signum: int, frame: FrameType | None) -> None:
        raise _Stop

    previous = {sig: signal.signal(sig, on_term) for sig in _STOP_SIGNALS}
    lock = threading.Lock()
    started: list[Running] = []

    def launch(name: str, label: str) -> subprocess.Popen[bytes]:
        proc = runner.start(name, settings, subprocess.PIPE, env)
        assert proc.stdout is not None
        pump = threading.Thread(target=_pump, args=(label, proc.stdout, out, lock), daemon=True)
        pump.start()
        started.append(Running(label, proc, pump))
        return proc

    code = 0
    interrupted = False
    try:
        for s in services:
            out.write(f"lab up: starting {s.name} ({s.description}) ...\n")
            proc = launch(s.name, s.name)
            runner.wait_healthy(s.url(settings) + s.health_path, proc, health_timeout)
            if s.name == "locust":
                for i in range(1, settings.locust_workers + 1):
                    launch("locust-worker", f"locust-worker-{i}")
        _print_urls(settings, services, out, lock)
        code = _watch(started, out, lock)
    except runner.ServiceFailed as e:
        out.write(f"lab up: {e}; stopping the lab\n")
        code = 1
    except (KeyboardInterrupt, _Stop):
        interrupted = True
    finally:
        # A second Ctrl-C (or SIGTERM) here would break off the stop loop and orphan the
        # services still running: the cleanup ignores them, and is bounded by runner.stop.
        interrupting = (signal.SIGINT, *_STOP_SIGNALS)
        saved = {sig: signal.signal(sig, signal.SIG_IGN) for sig in interrupting}
        try:
            if interrupted:
                out.write("\nlab up: stopping ...\n")
            for r in reversed(started):
                runner.stop(r.proc)
            for r in started:
                r.pump.join(timeout=2)
            out.write("lab up: stopped\n")
        finally:
            for sig in interrupting:
                signal.signal(sig, previous.get(sig, saved[sig]))
    return code


def _watch(started: list[Running], out: IO[str], lock: threading.Lock) -> int:
    while True:
        for r in started:
            rc = r.proc.poll()
            if rc is not None:
                with lock:
                    out.write(f"lab up: {r.label} exited with code {rc}; stopping the lab\n")
                return 1
        time.sleep(0.2)


def _print_urls(
    settings: LabSettings, services: Sequence[Service], out: IO[str], lock: threading.Lock
) -> None:
    lines = ["", "The lab is up:"]
    for s in services:
        lines.append(f"  {s.name:<11} {s.url(settings):<24} {s.description}")
    lines += [
        "",
        "Try: curl '" + settings.url(settings.wsgi_port) + "/io/sync?delay_ms=200'",
        "Press Ctrl-C to stop everything.",
        "",
    ]
    with lock:
        out.write("\n".join(lines) + "\n")
        out.flush()
