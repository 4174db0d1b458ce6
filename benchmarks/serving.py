"""What the server benchmarks share: a server started with given settings, and the CPU its
processes spend, read from /proc (psutil)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import psutil

from contracts.servers import ServerName
from contracts.settings import LabSettings
from contracts.topology import BY_NAME
from lab import runner


def tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of a process and its live descendants."""
    root = psutil.Process(pid)
    total = 0.0
    for p in [root, *root.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            t = p.cpu_times()
            total += t.user + t.system
    return total


@contextlib.contextmanager
def serving(slot: ServerName, settings: LabSettings) -> Iterator[tuple[str, int]]:
    """The server of `slot` run with `settings`, until the block ends: (its URL, its process
    id, whose tree holds the workers)."""
    proc = runner.start(slot, settings)
    try:
        url = BY_NAME[slot].own_url(settings)
        runner.wait_healthy(url + "/healthz", proc)
        yield url, proc.pid
    finally:
        runner.stop(proc)
