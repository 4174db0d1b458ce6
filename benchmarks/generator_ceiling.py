"""The load generators' ceiling: requests per second per generator core, and the latency each
adds, for `lab load`, Locust (FastHttpUser, one worker then two) and wrk, in one run.

Every generator loads the same cheapest answer the lab has, the slow upstream's `/slow?
delay_ms=0` (its lean ASGI handler, no wait), from the same CPUs: the upstream is pinned to
the first CPU, the generators to the others (on two CPUs: one each), so a generator never
takes the upstream's core and its cost per request is its own.

For each generator it prints:

- **req/s**: the upstream's own count of answered requests over a window of `--seconds` once
  the load is steady (so a generator's start-up and ramp are left out, and every generator is
  counted by the same neutral counter), and the **upstream's core** busy share over it: near
  100 % the upstream, not the generator, was the limit.
- **generator cores**: CPU seconds (user + system, from /proc via psutil) of the generator's
  whole process tree (Locust's master and workers summed) over the same window, divided by
  it; **req/s per core** is req/s divided by that: the ceiling of one generator core.
- **p50 / p99 loaded**: the latency the generator reports for its whole run at `CONNECTIONS`
  connections: Locust in whole milliseconds (its buckets), wrk and `lab load` finer.
- **p50 at one connection** and **added**: a second, short run with one connection, one
  request at a time, where nothing queues; added is its p50 minus wrk's at one connection.
  wrk is the floor, not the upstream's own time: the upstream's metrics time its delay, not a
  whole request, and wrk (C, one epoll loop) costs microseconds per request.

How `lab load` is driven: its open model at `LAB_LOAD_RATE`, far above what it can start,
with `--max-in-flight` equal to the connections. Once behind its clock it keeps that many
requests out and drops the arrivals it cannot start (it then reports itself saturated: it
is), so it sends as fast as it can, as the closed-loop tools do; its p50 / p99 are its
"service" times, from each actual send (its latency from the intended start only measures how
far behind the clock it fell). This is `lab load` itself, with its uvloop and aiohttp, not the
closed-loop module the sweep uses.

    .venv/bin/python -m benchmarks.generator_ceiling [--seconds 10] [--only lab-load,wrk]

Without `wrk` on PATH (Debian: apt-get install wrk) its rows are skipped with one line and
the others run. About 80 s with the defaults. Only 127.0.0.1 and free ports are used;
every process started is stopped at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from benchmarks.serving import tree_cpu_s
from contracts.settings import LabSettings
from contracts.topology import BY_NAME
from lab import runner

CONNECTIONS = 32
LAB_LOAD_RATE = 50_000  # req/s asked of `lab load`: several times what one core can start
# `lab load` at one connection: a little above what one request at a time allows, so each
# starts as the last answers (as wrk and Locust do there) with few idle wake-ups between.
ALONE_RATE = 5_000
SETTLE_S = 1.0  # after the first requests, before the window opens: ramp-up and connections
START_TIMEOUT_S = 60.0
PATH = "/slow?delay_ms=0"
# Not imported from it (Locust's gevent would patch this process): the locustfile's
# settings, named as it names them.
LOCUSTFILE = Path(__file__).with_name("locust_fast_path.py")
PATH_ENV, SAMPLES_ENV = "GEN_CEILING_PATH", "GEN_CEILING_SAMPLES"
COUNTER = 'upstream_requests_total{outcome="ok"}'


@dataclass(frozen=True)
class Cpus:
    upstream: tuple[int, ...]
    generator: tuple[int, ...]

    @staticmethod
    def split(available: Sequence[int]) -> Cpus:
        """The upstream on the first CPU, the generators on the rest (one CPU: shared)."""
        cpus = tuple(sorted(available))
        return Cpus(cpus[:1], cpus[1:] or cpus)


@dataclass(frozen=True)
class Reported:
    mean_ms: float
    p50_ms: float
    p99_ms: float


@dataclass(frozen=True)
class Run:
    """One generator's run: its processes' argv, and how to read the latency it reports."""

    argvs: list[list[str]]
    report: Callable[[Path, str], Reported]  # (its work directory, the first process' stdout)
    env: dict[str, str] = field(default_factory=dict)  # added to this process' environment


@dataclass(frozen=True)
class Generator:
    name: str
    connections: int
    # (the upstream's URL, seconds, connections, work directory, generator CPUs) -> the run
    run: Callable[[str, float, int, Path, tuple[int, ...]], Run]
    needs: str | None = None  # a binary that must be on PATH
    unloaded: bool = True  # also measured at one connection


@dataclass(frozen=True)
class Window:
    rps: float
    generator_cores: float
    upstream_share: float
    others_cores: float  # the machine's busy CPU beside the generator and the upstream


@dataclass(frozen=True)
class Row:
    name: str
    connections: int
    window: Window
    loaded: Reported
    alone: Reported | None  # at one connection

    @property
    def per_core(self) -> float:
        return self.window.rps / self.window.generator_cores if self.window.generator_cores else 0


def lab_load(url: str, seconds: float, connections: int, work: Path, _: tuple[int, ...]) -> Run:
    out = work / "lab-load.json"
    rate = LAB_LOAD_RATE if connections > 1 else ALONE_RATE
    argv = [
        sys.executable, "-m", "lab", "load", "--url", url + PATH, "--rate", str(rate),
        "--duration", f"{seconds:g}s", "--max-in-flight", str(connections), "--json", str(out),
    ]  # fmt: skip

    def report(work: Path, _: str) -> Reported:
        result = json.loads(out.read_text())
        if result["errors"]:
            raise RuntimeError(f"lab load had errors: {result['errors']}")
        service = result["service_time_ms"]
        return Reported(service["mean"], service["p50"], service["p99"])

    return Run([argv], report)


def locust(workers: int) -> Callable[[str, float, int, Path, tuple[int, ...]], Run]:
    def run(url: str, seconds: float, connections: int, work: Path, _: tuple[int, ...]) -> Run:
        base = [
            sys.executable, "-m", "locust", "--locustfile", str(LOCUSTFILE),
            "--loglevel", "WARNING",
        ]  # fmt: skip
        head = [
            *base, "--headless", "--host", url, "--users", str(connections),
            "--spawn-rate", str(connections), "--run-time", f"{seconds:g}s",
            "--only-summary", "--csv", str(work / "locust"), "--stop-timeout", "0",
        ]  # fmt: skip
        env = {PATH_ENV: PATH}
        if workers == 0:
            if connections == 1:  # Locust's exact timings (see the locustfile), not its buckets
                env[SAMPLES_ENV] = str(work / "samples.txt")
            return Run([head], locust_report, env)
        port = str(runner.free_port())
        master = [
            *head, "--master", "--expect-workers", str(workers),
            "--master-bind-host", "127.0.0.1", "--master-bind-port", port,
        ]  # fmt: skip
        worker = [*base, "--worker", "--master-host", "127.0.0.1", "--master-port", port]
        return Run([master] + [worker] * workers, locust_report, env)

    return run


def locust_report(work: Path, _: str) -> Reported:
    samples = work / "samples.txt"
    if samples.exists():
        times = sorted(float(line) for line in samples.read_text().split())
        return Reported(statistics.fmean(times), rank(times, 0.50), rank(times, 0.99))
    with (work / "locust_stats.csv").open() as f:
        (total,) = [r for r in csv.DictReader(f) if r["Name"] == "Aggregated"]
    return Reported(float(total["Average Response Time"]), float(total["50%"]), float(total["99%"]))


def wrk(url: str, seconds: float, connections: int, _: Path, cpus: tuple[int, ...]) -> Run:
    threads = min(len(cpus), connections)  # one event loop per generator core
    argv = [
        "wrk", "--latency", "-t", str(threads), "-c", str(connections),
        "-d", f"{max(1, round(seconds))}s", url + PATH,
    ]  # fmt: skip
    return Run([argv], lambda _, out: wrk_report(out))


def rank(ordered: list[float], q: float) -> float:
    """The value at quantile q of sorted samples (nearest rank, as HdrHistogram and wrk)."""
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


_WRK_LINE = re.compile(r"^\s*(Latency|50%|99%)\s+([\d.]+)(us|ms|s)\b", re.MULTILINE)
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk_report(out: str) -> Reported:
    """The mean (Latency Avg) and the 50 % and 99 % lines of `wrk --latency`, in ms."""
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk had failed requests: {out}")
    found = {p: float(v) * _UNIT_MS[unit] for p, v, unit in _WRK_LINE.findall(out)}
    if set(found) != {"Latency", "50%", "99%"}:
        raise ValueError(f"no latency distribution in wrk's output: {out!r}")
    return Reported(found["Latency"], found["50%"], found["99%"])


GENERATORS = (
    Generator("lab-load", CONNECTIONS, lab_load),
    Generator("locust-1", CONNECTIONS, locust(0)),
    Generator("locust-2", CONNECTIONS, locust(2), unloaded=False),
    Generator("wrk", CONNECTIONS, wrk, needs="wrk"),
)
NAMES = {
    "lab-load": "lab load (open model, uvloop + aiohttp)",
    "locust-1": "Locust FastHttpUser, 1 process",
    "locust-2": "Locust FastHttpUser, master + 2 workers",
    "wrk": "wrk",
}


def answered(base: str) -> float:
    """The upstream's count of answered /slow requests so far."""
    with urllib.request.urlopen(base + "/metrics", timeout=10) as r:
        for line in r.read().decode().splitlines():
            if line.startswith(COUNTER):
                return float(line.rsplit(" ", 1)[1])
    return 0.0


@contextlib.contextmanager
def launched(run: Run, cpus: tuple[int, ...], work: Path) -> Iterator[list[subprocess.Popen[str]]]:
    """The run's processes on the generator's CPUs, each in its own session; killed if the
    block ends before they do."""
    procs: list[subprocess.Popen[str]] = []
    try:
        for i, argv in enumerate(run.argvs):
            procs.append(
                subprocess.Popen(
                    argv,
                    cwd=work,  # Locust reads a locust.conf in its working directory: none here
                    stdout=subprocess.PIPE if i == 0 else subprocess.DEVNULL,
                    stderr=(work / f"stderr-{i}.txt").open("w"),
                    text=True,
                    env={**os.environ, **run.env},
                    start_new_session=True,
                    preexec_fn=lambda: os.sched_setaffinity(0, cpus),
                )
            )
        yield procs
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()


def tree_cpu(procs: list[subprocess.Popen[str]]) -> float:
    total = 0.0
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += tree_cpu_s(p.pid)
    return total


def wait_for_load(base: str, procs: list[subprocess.Popen[str]], work: Path) -> None:
    """Until the upstream sees requests arrive, then SETTLE_S more."""
    first = answered(base)
    deadline = time.monotonic() + START_TIMEOUT_S
    while answered(base) - first < CONNECTIONS:
        if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
            errors = (work / "stderr-0.txt").read_text()[-2000:]
            raise RuntimeError(f"the generator sent nothing; it said:\n{errors}")
        time.sleep(0.1)
    time.sleep(SETTLE_S)


def measure(
    gen: Generator, base: str, upstream_pid: int, cpus: Cpus, seconds: float, connections: int
) -> tuple[Window | None, Reported]:
    """One run of `gen`; its window when `seconds` of steady load fit in it (not at one
    connection, where only the latency is asked), and the latency it reported."""
    with tempfile.TemporaryDirectory(prefix="gen-ceiling-") as tmp:
        work = Path(tmp)
        timed = connections > 1
        length = seconds + SETTLE_S + 3 if timed else seconds
        run = gen.run(base, length, connections, work, cpus.generator)
        window = None
        with launched(run, cpus.generator, work) as procs:
            if timed:
                wait_for_load(base, procs, work)
                n0, t0 = answered(base), now()
                g0, u0, m0 = tree_cpu(procs), tree_cpu_s(upstream_pid), machine_busy_s()
                time.sleep(seconds)
                n1, t1 = answered(base), now()
                g1, u1, m1 = tree_cpu(procs), tree_cpu_s(upstream_pid), machine_busy_s()
                if any(p.poll() is not None for p in procs):
                    raise RuntimeError(f"{gen.name} ended inside its window: lengthen its run")
                span = t1 - t0
                gen_cores, up_share = (g1 - g0) / span, (u1 - u0) / span
                others = max(0.0, (m1 - m0) / span - gen_cores - up_share)
                window = Window((n1 - n0) / span, gen_cores, up_share, others)
            out, _ = procs[0].communicate(timeout=length + 60)
            for p in procs[1:]:
                p.wait(timeout=30)
            if procs[0].returncode != 0:  # Locust exits 1 when a request failed
                errors = (work / "stderr-0.txt").read_text()[-2000:]
                raise RuntimeError(f"{gen.name} exited with {procs[0].returncode}:\n{errors}")
        return window, run.report(work, out)


now = time.monotonic


def machine_busy_s() -> float:
    """CPU seconds the whole machine has spent busy (every CPU, every process)."""
    t = psutil.cpu_times()
    return float(sum(t) - t.idle - getattr(t, "iowait", 0.0))


def table(rows: list[Row], floor: Reported | None) -> str:
    lines = [
        "| generator | connections | req/s | generator cores | req/s per core | upstream core "
        "| others' cores | p50 / p99 ms loaded | p50 ms at 1 connection | added ms over wrk |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        alone = f"{r.alone.p50_ms:.3f}" if r.alone else "-"
        added = f"{r.alone.p50_ms - floor.p50_ms:.3f}" if r.alone and floor else "-"
        lines.append(
            f"| {NAMES[r.name]} | {r.connections} | {r.window.rps:.0f} "
            f"| {r.window.generator_cores:.2f} | {r.per_core:.0f} "
            f"| {r.window.upstream_share:.0%} | {r.window.others_cores:.2f} "
            f"| {r.loaded.p50_ms:.2f} / {r.loaded.p99_ms:.2f} | {alone} | {added} |"
        )
    return "\n".join(lines)


def chosen(only: str | None) -> list[Generator]:
    if only is None:
        return list(GENERATORS)
    names = only.split(",")
    unknown = set(names) - {g.name for g in GENERATORS}
    if unknown:
        raise ValueError(f"--only: unknown {', '.join(sorted(unknown))}; known: {', '.join(NAMES)}")
    return [g for g in GENERATORS if g.name in names]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="each measured window")
    parser.add_argument("--only", help=f"comma-separated, of: {', '.join(NAMES)} (default all)")
    args = parser.parse_args(argv)
    if args.seconds <= 0:
        parser.error("--seconds must be positive")
    try:
        generators = chosen(args.only)
    except ValueError as e:
        parser.error(str(e))
    cpus = Cpus.split(sorted(os.sched_getaffinity(0)))
    rows: list[Row] = []
    floor: Reported | None = None
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="lab-gen-ceiling-") as var:
        lab = runner.with_free_ports(LabSettings(lab_var_dir=var), "upstream")
        proc = runner.start("upstream", lab)
        try:
            base = BY_NAME["upstream"].own_url(lab)
            runner.wait_healthy(base + "/healthz", proc)
            for p in [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(True)]:
                p.cpu_affinity(list(cpus.upstream))
            for gen in generators:
                if gen.needs and shutil.which(gen.needs) is None:
                    print(f"{gen.name}: `{gen.needs}` is not on PATH, skipped (Debian: apt-get "
                          f"install {gen.needs})", flush=True)  # fmt: skip
                    continue
                window, loaded = measure(gen, base, proc.pid, cpus, args.seconds, gen.connections)
                assert window is not None
                alone = None
                if gen.unloaded:
                    _, alone = measure(gen, base, proc.pid, cpus, max(2.0, args.seconds / 2), 1)
                if gen.name == "wrk":
                    floor = alone
                rows.append(Row(gen.name, gen.connections, window, loaded, alone))
                print(table(rows[-1:], None).splitlines()[-1], file=sys.stderr, flush=True)
        finally:
            runner.stop(proc)
    load_after = os.getloadavg()
    print()
    print(
        f"/slow?delay_ms=0 on the upstream (CPU {','.join(map(str, cpus.upstream))}); "
        f"generators on CPU {','.join(map(str, cpus.generator))}; {args.seconds:g} s windows; "
        f"Python {sys.version.split()[0]}; load average {load[0]:.2f} before, "
        f"{load_after[0]:.2f} after."
    )
    print(table(rows, floor))


if __name__ == "__main__":
    main()
