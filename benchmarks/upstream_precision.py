"""Delay precision of the slow upstream against a thread-per-request delay server.

For each server and each arrival rate (1 s delays, so concurrent waits ~ rate) it reports
the overshoot (actual minus configured delay) p50/p99 inside the server and at the client,
the server's CPU per 1,000 waits, and whether the server or the client saturated.
The server is pinned to CPU 0 and the client (a separate process) to CPU 1.

    .venv/bin/python -m benchmarks.upstream_precision [--rates 100,1000,5000] [--duration 5]
        [--only upstream|httpbin] [--repeat N]

Only 127.0.0.1 and free ports are used; every process started is stopped at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import psutil

from benchmarks.upstream.client import Report
from contracts.settings import LabSettings
from lab.runner import free_port, stop, wait_healthy
from lab.serve import command, environment

SERVER_CPU, CLIENT_CPU = "0", "1"
METRIC = "upstream_delay_overshoot_seconds_bucket"
SATURATED = 0.90  # a process busier than this share of its core is saturated
STOLEN = 0.01  # more hypervisor steal than this on the server's core: a noisy neighbour


@dataclass(frozen=True)
class Server:
    name: str
    argv: list[str]
    env: dict[str, str]
    delay_path: str  # path that waits one second
    health_path: str


def servers(port_a: int, port_b: int, var_dir: str) -> list[Server]:
    settings = LabSettings(upstream_port=port_a, lab_var_dir=var_dir)
    return [
        Server(
            "slow_upstream (uvicorn+uvloop)",
            command("upstream", settings),
            environment("upstream", settings),
            "/slow?delay_ms=1000",
            "/healthz",
        ),
        Server(
            "httpbin /delay (werkzeug, thread per request)",
            [sys.executable, "-m", "benchmarks.upstream.threaded_delay_server", str(port_b)],
            {**os.environ},
            "/delay/1",
            "/metrics",
        ),
    ]


@contextlib.contextmanager
def started(server: Server, port: int) -> Iterator[tuple[str, psutil.Process]]:
    proc = subprocess.Popen(
        ["taskset", "-c", SERVER_CPU, *server.argv],
        env=server.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url + server.health_path, proc)
        yield url, psutil.Process(proc.pid)
    finally:
        stop(proc)


def overshoot_buckets(url: str) -> dict[float, float]:
    """The overshoot histogram's buckets; empty if a saturated server cannot answer."""
    try:
        with urllib.request.urlopen(url + "/metrics", timeout=60) as r:
            text = r.read().decode()
    except OSError:
        return {}
    buckets = {}
    for line in text.splitlines():
        if line.startswith(METRIC):
            le = line.split('le="', 1)[1].split('"', 1)[0]
            buckets[float(le)] = float(line.rsplit(" ", 1)[1])
    return buckets


def bucket_quantile(q: float, before: dict[float, float], after: dict[float, float]) -> float:
    """Prometheus' histogram_quantile over the counts added between two scrapes."""
    if not after:
        return float("nan")
    bounds = sorted(after)
    counts = [after[b] - before.get(b, 0.0) for b in bounds]
    total = counts[-1]
    if total <= 0:
        return float("nan")
    rank = q * total
    lower, below = 0.0, 0.0
    for bound, cumulative in zip(bounds, counts, strict=True):
        if cumulative >= rank:
            if bound == float("inf"):
                return lower
            return lower + (bound - lower) * (rank - below) / max(cumulative - below, 1e-12)
        lower, below = bound, cumulative
    return lower


def cpu_seconds(p: psutil.Process) -> float:
    t = p.cpu_times()
    return t.user + t.system


def stolen() -> float:
    """Seconds the hypervisor took CPU 0 (the server's) from this VM: neighbours' noise."""
    return float(getattr(psutil.cpu_times(percpu=True)[int(SERVER_CPU)], "steal", 0.0))


class StageResult(Report):
    """The client's report, with what the server measured over the same span."""

    inside_p50_ms: float
    inside_p99_ms: float
    cpu_ms_per_1000: float
    server_share: float
    stolen_share: float


def stage(url: str, proc: psutil.Process, path: str, rate: int, duration: float) -> StageResult:
    client = subprocess.Popen(
        ["taskset", "-c", CLIENT_CPU, sys.executable, "-m", "benchmarks.upstream.client",
         url + path, str(rate), str(duration), "1.0"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert client.stdout is not None
        # Measure from the end of the client's warm-up (connections open) to the end.
        if client.stdout.readline().strip() != "steady":
            raise RuntimeError("the client failed during its warm-up")
        before = overshoot_buckets(url)
        cpu0, wall0, steal0 = cpu_seconds(proc), time.monotonic(), stolen()
        out, _ = client.communicate(timeout=duration + 120)
        cpu1, wall1, steal1 = cpu_seconds(proc), time.monotonic(), stolen()
        after = overshoot_buckets(url)
    finally:
        if client.poll() is None:
            client.kill()
            client.wait()
    report: Report = json.loads(out)
    ok = report["ok"]
    return {
        **report,
        "inside_p50_ms": bucket_quantile(0.50, before, after) * 1000,
        "inside_p99_ms": bucket_quantile(0.99, before, after) * 1000,
        "cpu_ms_per_1000": (cpu1 - cpu0) * 1000 / ok * 1000 if ok else float("nan"),
        "server_share": (cpu1 - cpu0) / max(wall1 - wall0, 1e-9),
        "stolen_share": (steal1 - steal0) / max(wall1 - wall0, 1e-9),
    }


def verdict(r: StageResult) -> str:
    notes = []
    if r["server_share"] >= SATURATED:
        notes.append("server saturated")
    if r["send_lag_p99_ms"] > 10 or r["cpu_share"] >= SATURATED:
        notes.append("client saturated")
    if r["stolen_share"] >= STOLEN:
        notes.append(f"{r['stolen_share']:.0%} of the server's core stolen")
    if r["failures"]:
        notes.append("failures " + ",".join(f"{k}:{v}" for k, v in r["failures"].items()))
    return "; ".join(notes) or "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="100,1000,5000")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of arrivals")
    parser.add_argument("--var-dir", default="var/benchmark")
    parser.add_argument(
        "--only", choices=("upstream", "httpbin"), help="measure one server (default: both)"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per rate; with more than one, also medians"
    )
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    rates = [int(r) for r in args.rates.split(",")]
    port_a, port_b = free_port(), free_port()
    rows = []
    for server, port in zip(servers(port_a, port_b, args.var_dir), (port_a, port_b), strict=True):
        if args.only and not server.name.startswith(
            {"upstream": "slow", "httpbin": "httpbin"}[args.only]
        ):
            continue
        with started(server, port) as (url, proc):
            for rate in rates:
                for _ in range(args.repeat):
                    r = stage(url, proc, server.delay_path, rate, args.duration)
                    rows.append((server.name, rate, r))
                    print(f"  {server.name} @ {rate}/s: {json.dumps(r)}", file=sys.stderr)
    header = (
        "| server | req/s (≈ concurrent 1 s waits) | ok/sent | inside p50 / p99 ms "
        "| client p50 / p99 ms | server CPU ms per 1,000 waits | server core | note |"
    )
    print(header)
    print("|" + "---|" * 8)
    for name, rate, r in rows:
        print(
            f"| {name} | {rate} | {r['ok']}/{r['sent']} "
            f"| {r['inside_p50_ms']:.2f} / {r['inside_p99_ms']:.2f} "
            f"| {r['p50_ms']:.2f} / {r['p99_ms']:.2f} | {r['cpu_ms_per_1000']:.0f} "
            f"| {r['server_share']:.0%} | {verdict(r)} |"
        )
    if args.repeat > 1:
        print_medians(rows)


P99S: tuple[Literal["inside_p99_ms", "p99_ms"], ...] = ("inside_p99_ms", "p99_ms")


def print_medians(rows: list[tuple[str, int, StageResult]]) -> None:
    """A shared machine's neighbours move single runs: the median and range of the p99s."""
    print(
        "\n| server | req/s | runs | inside p99 ms: median (min to max) "
        "| client p99 ms: median (min to max) |"
    )
    print("|" + "---|" * 5)
    groups: dict[tuple[str, int], list[StageResult]] = {}
    for name, rate, r in rows:
        groups.setdefault((name, rate), []).append(r)
    for (name, rate), runs in groups.items():
        cells = []
        for key in P99S:
            values = sorted(r[key] for r in runs)
            cells.append(f"{statistics.median(values):.2f} ({values[0]:.2f} to {values[-1]:.2f})")
        print(f"| {name} | {rate} | {len(runs)} | {cells[0]} | {cells[1]} |")


if __name__ == "__main__":
    main()
