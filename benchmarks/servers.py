"""Every server configuration under the same two loads: slow I/O, and /ping.

For each configuration it prints:

- **slow I/O**: throughput of `USERS` closed-loop users on the view that waits for the
  upstream (`/io/sync` on WSGI, `/io/async` on ASGI, `DELAY_MS` each), divided by Little's
  bound: min(the server's concurrency limit, the users) ÷ the delay. 1.0 is all the bound
  allows; sync workers cap it at their count, greenlets and event loops at the users.
- **CPU per /ping**: CPU time (user + system) of the server's whole process tree over a
  closed-loop run of `/ping`, divided by the answered requests: what the server itself spends
  on one trivial request, whatever the client's speed.

Configurations run two at a time, one in each server slot (wsgi, asgi), each measured alone
while the other idles, then both are stopped: never all at once. One upstream serves them all.

    .venv/bin/python -m benchmarks.servers [--seconds 5]

About 2 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import itertools
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from benchmarks.serving import serving as serving_with
from benchmarks.serving import tree_cpu_s
from contracts.servers import ServerName, shape
from contracts.settings import LabSettings
from lab import runner
from loadgen import closedloop

USERS = 40
DELAY_MS = 100
PING_USERS = 4


@dataclass(frozen=True)
class Config:
    name: str
    slot: ServerName
    changes: dict[str, Any]


WSGI = (
    Config("gunicorn sync", "wsgi", {"wsgi_worker_class": "sync"}),
    Config(
        "gunicorn gthread, 8 threads", "wsgi", {"wsgi_worker_class": "gthread", "web_threads": 8}
    ),
    Config("gunicorn gevent", "wsgi", {"wsgi_worker_class": "gevent"}),
    Config("granian WSGI, 8 threads", "wsgi", {"wsgi_server": "granian", "web_threads": 8}),
)
ASGI = (
    Config("uvicorn", "asgi", {"asgi_server": "uvicorn"}),
    Config("gunicorn + uvicorn workers", "asgi", {"asgi_server": "gunicorn"}),
    Config("granian ASGI", "asgi", {"asgi_server": "granian"}),
)


@dataclass(frozen=True)
class Row:
    config: Config
    limit: int
    io_rps: float
    bound_rps: float
    ping_rps: float
    cpu_ms_per_ping: float

    @property
    def io_ratio(self) -> float:
        return self.io_rps / self.bound_rps


def littles_bound(limit: int, users: int, delay_ms: float) -> float:
    """Requests per second at most: as many in service as the server and the users allow,
    each taking at least the delay."""
    return min(limit, users) / (delay_ms / 1000)


@contextlib.contextmanager
def serving(config: Config, lab: LabSettings) -> Iterator[tuple[str, int]]:
    """The configuration's server, until the block ends: (its URL, its process id)."""
    with serving_with(config.slot, dataclasses.replace(lab, **config.changes)) as up:
        yield up


def measure(config: Config, lab: LabSettings, url: str, pid: int, seconds: float) -> Row:
    view = "/io/sync" if config.slot == "wsgi" else "/io/async"
    io_url = f"{url}{view}?delay_ms={DELAY_MS}"
    closedloop.run(io_url, USERS, 1.0)  # warm up: connections, clients, calibration
    io = closedloop.run(io_url, USERS, seconds)
    closedloop.run(url + "/ping", PING_USERS, 1.0)
    before = tree_cpu_s(pid)
    ping = closedloop.run(url + "/ping", PING_USERS, seconds)
    cpu_s = tree_cpu_s(pid) - before
    limit = shape(config.slot, dataclasses.replace(lab, **config.changes)).concurrency
    return Row(
        config,
        limit,
        io.throughput,
        littles_bound(limit, USERS, DELAY_MS),
        ping.throughput,
        1000 * cpu_s / max(ping.ok, 1),
    )


def table(rows: list[Row]) -> str:
    lines = [
        "| configuration | concurrency limit | slow I/O req/s | Little's bound req/s | "
        "÷ bound | /ping req/s | server CPU ms per /ping |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.config.name} ({r.config.slot}) | {r.limit} | {r.io_rps:.0f} | "
            f"{r.bound_rps:.0f} | {r.io_ratio:.2f} | {r.ping_rps:.0f} | {r.cpu_ms_per_ping:.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="each measured run")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="lab-servers-") as var:
        lab = runner.with_free_ports(
            LabSettings(lab_var_dir=var, web_workers=2), "upstream", "wsgi", "asgi"
        )
        with runner.running("upstream", lab):
            for pair in itertools.zip_longest(WSGI, ASGI):
                with contextlib.ExitStack() as stack:
                    up = [(c, stack.enter_context(serving(c, lab))) for c in pair if c]
                    for config, (url, pid) in up:
                        rows.append(measure(config, lab, url, pid, args.seconds))
                        print(table(rows[-1:]).splitlines()[-1], flush=True)
    print()
    print(
        f"{USERS} users on {DELAY_MS} ms of upstream wait; {PING_USERS} users on /ping; "
        f"{args.seconds:g} s each; 2 workers per server."
    )
    print(table(rows))


if __name__ == "__main__":
    main()
