"""What the lab's instrumentation costs the servers: server CPU per request with it on (A)
and off (B, `LAB_INSTRUMENTATION=off`), interleaved A B B A ..., on both servers.

For each server slot (wsgi: gunicorn's sync workers; asgi: uvicorn, the defaults) and each
of `/ping` (4 closed-loop users) and `/io/async` (the upstream at 20 ms, 40 users, so the
server is busy), each measurement is a fixed time of closed-loop load; its figure is the CPU
seconds (user + system, from /proc) of the server's whole process tree ÷ the requests
answered. Throughput at a fixed concurrency would hide the cost: with the upstream's wait in
every request, Little's law fixes it whatever the server spends.

/proc counts a process's CPU in ticks of 10 ms, user and system apart, so a reading is off by
up to about 20 ms a process. A window must hold far more CPU than that: 4 s of /ping, and
10 s of /io/async, where two sync workers serve at most 100 requests a second.

Both variants of a slot run side by side, on ports of their own, for the whole slot: the
same two processes are measured in every pair, so start-up and warm caches never enter a
figure, and a change in the shared machine's load between pairs hits A and B alike (each
pair is two measurements a few seconds apart). The one not measured idles meanwhile. A goes
first in odd pairs and B in even ones, so that nothing that drifts over a slot favours a side.
`--control` makes B instrumented too: an A/A run, whose spread is what noise alone does.

It prints each pair's overhead, (A - B) ÷ B, then per server × endpoint the median and the
spread (min to max) of those, beside the target (≤ 3 % on /io/async, ≤ 10 % on /ping) with ✓
or ✗ for the median. Exit 1 if a median misses its target.

    .venv/bin/python -m benchmarks.instrumentation_cost [--pairs 7] [--scale 1]
        [--servers wsgi,asgi] [--control]

About 7 minutes on 2 cores with the defaults (`--scale` multiplies every window).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import statistics
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.serving import serving, tree_cpu_s
from contracts.servers import ServerName
from contracts.settings import LabSettings
from lab import runner
from loadgen import closedloop

SLOTS: tuple[ServerName, ...] = ("wsgi", "asgi")
DELAY_MS = 20
WARMUP_S = 0.5


@dataclass(frozen=True)
class Endpoint:
    path: str
    users: int
    target_pct: float  # the overhead allowed, in % of the server's CPU per request without
    seconds: float  # each measurement's window


ENDPOINTS = (
    Endpoint("/ping", 4, 10.0, 4.0),
    Endpoint(f"/io/async?delay_ms={DELAY_MS}", 40, 3.0, 10.0),
)


@dataclass(frozen=True)
class Pair:
    on_ms: float  # server CPU ms per request, instrumentation on (A)
    off_ms: float  # the same, off (B)

    @property
    def overhead_pct(self) -> float:
        return 100 * (self.on_ms - self.off_ms) / self.off_ms


@dataclass(frozen=True)
class Summary:
    slot: ServerName
    endpoint: Endpoint
    pairs: tuple[Pair, ...]

    @property
    def overheads(self) -> list[float]:
        return [p.overhead_pct for p in self.pairs]

    @property
    def median_pct(self) -> float:
        return statistics.median(self.overheads)

    @property
    def met(self) -> bool:
        return self.median_pct <= self.endpoint.target_pct

    def row(self) -> str:
        on = statistics.median(p.on_ms for p in self.pairs)
        off = statistics.median(p.off_ms for p in self.pairs)
        low, high = min(self.overheads), max(self.overheads)
        path = self.endpoint.path.split("?")[0]
        return (
            f"| {self.slot} ({SERVER_OF[self.slot]}) | {path} | {on:.3f} | {off:.3f} | "
            f"{self.median_pct:+.1f} % | {low:+.1f} … {high:+.1f} % | "
            f"≤ {self.endpoint.target_pct:g} % | {'✓' if self.met else '✗'} |"
        )


SERVER_OF: dict[ServerName, str] = {"wsgi": "gunicorn sync", "asgi": "uvicorn"}
HEADER = (
    "| server | endpoint | CPU ms/request on (median) | off (median) | overhead (median) | "
    "spread (min … max) | target | |\n|---|---|---|---|---|---|---|---|"
)


def table(summaries: Sequence[Summary]) -> str:
    return "\n".join([HEADER, *(s.row() for s in summaries)])


def cpu_ms_per_request(url: str, pid: int, users: int, seconds: float) -> float:
    """Server CPU ms per answered request over `seconds` of `users` closed-loop users. The
    clients' requests still in flight at the end are waited for, inside the CPU window."""
    closedloop.run(url, users, WARMUP_S)  # connections, the server's pools, after its idle
    before = tree_cpu_s(pid)
    result = closedloop.run(url, users, seconds)
    cpu_s = tree_cpu_s(pid) - before
    if result.ok == 0:
        raise RuntimeError(f"{url}: no request answered ({dict(result.errors)})")
    return 1000 * cpu_s / result.ok


def variants(
    lab: LabSettings, slot: ServerName, var: Path, control: bool = False
) -> tuple[LabSettings, LabSettings]:
    """The slot's server with the instrumentation on and off (both on for an A/A control):
    ports and state of its own each (a server wipes its metrics directory when it starts)."""
    on, off = (
        runner.with_free_ports(
            dataclasses.replace(
                lab,
                lab_var_dir=str(var / name),
                lab_instrumentation="on" if control else name,
            ),
            slot,
        )
        for name in ("on", "off")
    )
    return on, off


def a_first(pair: int) -> bool:
    """A B in odd pairs, B A in even ones: whatever drifts during a slot (the machine's load,
    a process's caches or heap) then favours neither side."""
    return pair % 2 == 1


def measure_slot(
    lab: LabSettings,
    slot: ServerName,
    var: Path,
    pairs: int,
    scale: float,
    control: bool = False,
) -> list[Summary]:
    on_settings, off_settings = variants(lab, slot, var, control)
    summaries = []
    with serving(slot, on_settings) as (on_url, on_pid), serving(slot, off_settings) as off:
        off_url, off_pid = off
        for endpoint in ENDPOINTS:
            seconds = endpoint.seconds * scale
            sides = ((on_url, on_pid), (off_url, off_pid))
            measured = []
            for i in range(1, pairs + 1):
                order = sides if a_first(i) else sides[::-1]
                ms = {
                    url: cpu_ms_per_request(url + endpoint.path, pid, endpoint.users, seconds)
                    for url, pid in order
                }
                a_ms, b_ms = ms[on_url], ms[off_url]
                pair = Pair(a_ms, b_ms)
                measured.append(pair)
                print(
                    f"{slot} {endpoint.path.split('?')[0]} pair {i}: A {a_ms:.3f} ms, "
                    f"B {b_ms:.3f} ms per request: {pair.overhead_pct:+.1f} %",
                    flush=True,
                )
            summaries.append(Summary(slot, endpoint, tuple(measured)))
    return summaries


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=7, help="A/B pairs per server × endpoint")
    parser.add_argument("--scale", type=float, default=1.0, help="× every window")
    parser.add_argument(
        "--servers",
        default=",".join(SLOTS),
        help=f"which servers, comma-separated ({', '.join(SLOTS)})",
    )
    parser.add_argument(
        "--control",
        action="store_true",
        help="A/A: both servers instrumented, to show what the noise alone makes of a pair",
    )
    args = parser.parse_args(argv)
    if args.pairs < 1 or args.scale <= 0:
        parser.error("--pairs must be at least 1 and --scale above 0")
    slots = [s.strip() for s in args.servers.split(",") if s.strip()]
    unknown = [s for s in slots if s not in SLOTS]
    if unknown or not slots:
        parser.error(f"--servers: {args.servers!r}; expected some of {', '.join(SLOTS)}")
    print(f"load average at start: {load_average()}", flush=True)
    summaries: list[Summary] = []
    with contextlib.ExitStack() as stack:
        var = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lab-instr-")))
        lab = runner.with_free_ports(LabSettings(lab_var_dir=str(var)), "upstream")
        stack.enter_context(runner.running("upstream", lab))
        for slot in SLOTS:
            if slot in slots:
                summaries += measure_slot(lab, slot, var, args.pairs, args.scale, args.control)
    print(f"load average at end: {load_average()}")
    print()
    windows = ", ".join(
        f"{e.path.split('?')[0]} {e.seconds * args.scale:g} s of {e.users} users" for e in ENDPOINTS
    )
    kind = "A (on) and B (on: an A/A control)" if args.control else "A (on) and B (off)"
    print(
        f"{args.pairs} pairs of {kind}, A first in odd pairs and B first in even ones, each "
        f"{windows}; {DELAY_MS} ms of upstream wait; 2 workers per server."
    )
    print(table(summaries))
    return 0 if all(s.met for s in summaries) else 1


if __name__ == "__main__":
    sys.exit(main())
