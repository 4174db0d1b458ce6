"""Soak: both servers under steady load for minutes, their resources sampled all along.

Starts the upstream and both Django servers on free ports of 127.0.0.1, warms them up (what
first use creates, pools and threads, is the idle level), measures them idle, loads each with
an open-model arrival rate at about 80 % of its capacity for `--minutes`, then idle again,
sampling every process of each server (RSS, open file descriptors, OS threads) every few
seconds. It prints the trend of each figure under load (least-squares
slope after a warm-up) and exits 1 when RSS grows faster than `--max-rss-mib-per-min` or the
file descriptors and threads do not come back to their idle level after the load.

    .venv/bin/python -m benchmarks.soak [--minutes 10] [--delay-ms 100] [--wsgi-rate 16]
        [--asgi-rate 80] [--every 5]

Defaults: 2 sync gunicorn workers serve 2 ÷ 0.1 s = 20 req/s at most, so 16 req/s is 80 %;
the ASGI server is loaded at 80 req/s, far below its CPU knee, at 80 % of the same
upstream concurrency budget the docs' figures use. Every process is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import psutil

from contracts.settings import LabSettings
from lab.runner import running, with_free_ports
from loadgen.openmodel import Stage, run_async

SERVERS = ("wsgi", "asgi")


@dataclass
class Sample:
    t: float
    rss_mib: float
    fds: int
    threads: int


@dataclass
class Series:
    samples: list[Sample] = field(default_factory=list)

    def between(self, start: float, end: float) -> list[Sample]:
        return [s for s in self.samples if start <= s.t <= end]


def tree(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def sample(pid: int, t: float) -> Sample:
    rss, fds, threads = 0, 0, 0
    for proc in tree(pid):
        with contextlib.suppress(psutil.NoSuchProcess):
            rss += proc.memory_info().rss
            fds += proc.num_fds()
            threads += proc.num_threads()
    return Sample(t, rss / 2**20, fds, threads)


def server_pid(name: str, port: int) -> int:
    """The server's master (or only) process: a process listening on `port` (workers share the
    socket), then up its parents while they are the same server."""
    for conn in psutil.net_connections("tcp"):
        listening = conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port
        if listening and conn.pid is not None:
            proc = psutil.Process(conn.pid)
            parent = proc.parent()
            while parent is not None and parent.environ().get("LAB_SERVER") == name:
                proc, parent = parent, parent.parent()
            return proc.pid
    raise RuntimeError(f"nothing listens on port {port}")


@contextlib.contextmanager
def sampling(pids: dict[str, int], every: float) -> Iterator[dict[str, Series]]:
    series = {name: Series() for name in pids}
    stop = threading.Event()
    t0 = time.monotonic()

    def loop() -> None:
        while not stop.is_set():
            now = time.monotonic() - t0
            for name, pid in pids.items():
                series[name].samples.append(sample(pid, now))
            stop.wait(every)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield series
    finally:
        stop.set()
        thread.join()


def slope_per_min(points: list[Sample]) -> float:
    """Least-squares slope of RSS, MiB per minute."""
    if len(points) < 3:
        return 0.0
    xs = [p.t / 60 for p in points]
    ys = [p.rss_mib for p in points]
    return statistics.linear_regression(xs, ys).slope


async def load(urls: dict[str, str], rates: dict[str, float], seconds: float) -> None:
    results = await asyncio.gather(
        *(run_async(urls[n], [Stage(rates[n], seconds)], timeout_s=30) for n in SERVERS)
    )
    for name, result in zip(SERVERS, results, strict=True):
        print(f"{name}: {result.ok} ok of {result.sent} sent, {dict(result.errors)} errors")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--minutes", type=float, default=10.0)
    p.add_argument("--delay-ms", type=int, default=100)
    p.add_argument("--wsgi-rate", type=float, default=16.0)
    p.add_argument("--asgi-rate", type=float, default=80.0)
    p.add_argument("--every", type=float, default=5.0, help="seconds between samples")
    p.add_argument("--max-rss-mib-per-min", type=float, default=1.0)
    args = p.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="asynclab-soak-") as var:
        lab = with_free_ports(LabSettings(lab_var_dir=var), "upstream", *SERVERS)
        with (
            running("upstream", lab),
            running("wsgi", lab) as wsgi,
            running("asgi", lab) as asgi,
        ):
            base = {"wsgi": wsgi, "asgi": asgi}
            urls = {n: f"{base[n]}/io/{'sync' if n == 'wsgi' else 'async'}" for n in SERVERS}
            urls = {n: f"{u}?delay_ms={args.delay_ms}" for n, u in urls.items()}
            pids = {n: server_pid(n, getattr(lab, f"{n}_port")) for n in SERVERS}
            rates = {"wsgi": args.wsgi_rate, "asgi": args.asgi_rate}
            idle_s, seconds = 3 * args.every, args.minutes * 60
            # Warm up first: pools, clients and threads made on first use are the idle level.
            asyncio.run(load(urls, rates, 10.0))
            with sampling(pids, args.every) as series:
                time.sleep(idle_s)
                started = time.monotonic()
                asyncio.run(load(urls, rates, seconds))
                loaded_s = time.monotonic() - started
                time.sleep(idle_s + args.every)
    return report(series, idle_s, loaded_s, args.max_rss_mib_per_min)


def report(series: dict[str, Series], idle_s: float, loaded_s: float, max_slope: float) -> int:
    failed = False
    load_end = idle_s + loaded_s
    warm = idle_s + 0.2 * loaded_s  # the first fifth of the load is warm-up
    for name in SERVERS:
        s = series[name]
        before = s.between(0, idle_s)
        during = s.between(warm, load_end)
        after = s.between(load_end + 1, float("inf"))
        if not (before and during and after):
            print(f"{name}: too few samples (raise --minutes or lower --every)")
            return 1
        slope = slope_per_min(during)
        idle_fds, idle_threads = min(x.fds for x in before), min(x.threads for x in before)
        end_fds, end_threads = after[-1].fds, after[-1].threads
        peak = max(x.threads for x in during)
        print(
            f"{name}: RSS {before[-1].rss_mib:.1f} -> {during[-1].rss_mib:.1f} MiB, trend "
            f"{slope:+.2f} MiB/min (limit {max_slope:g}); fds {idle_fds} idle, {end_fds} after; "
            f"threads {idle_threads} idle, {peak} peak, {end_threads} after"
        )
        if slope > max_slope:
            print(f"  {name}: RSS grows faster than {max_slope:g} MiB/min")
            failed = True
        if end_fds > idle_fds or end_threads > idle_threads:
            print(f"  {name}: file descriptors or threads did not return to their idle level")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
