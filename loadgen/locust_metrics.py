"""Locust's live state as Prometheus metrics (`locust_*`), read from the runner at scrape time.

Pure: it only reads attributes of the runner it is given, so it can be tested without
importing locust (which monkey-patches the process for gevent).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from loadgen.rounding import NOTE
from loadgen.targets import target_of

QUANTILES = (0.5, 0.9, 0.95, 0.99)
AGGREGATED = "Aggregated"  # Locust's name for the all-requests row


class LocustCollector(Collector):
    """`target`: what the run loads (`loadgen.targets.run_target`), asked at each scrape
    since the web UI may change it between runs; every request series and the runner state
    carry it as the `target` label (a request's own server in a `both` run)."""

    def __init__(self, runner: Callable[[], Any], target: Callable[[], str]) -> None:
        self._runner = runner  # a getter: the runner exists only after init
        self._target = target

    def collect(self) -> Iterator[Metric]:
        runner = self._runner()
        if runner is None:
            return
        target = self._target()
        yield from _users(runner, target)
        yield from _requests(runner.stats, target)
        yield from _nodes(runner)


def _users(runner: Any, target: str) -> Iterator[Metric]:
    users = GaugeMetricFamily(
        "locust_users", "Running Locust users by user class", labels=["user_class"]
    )
    # A master knows its users only from the workers' reports.
    by_class = getattr(runner, "reported_user_classes_count", None)
    if by_class is None:
        by_class = runner.user_classes_count
    for name, count in sorted(by_class.items()):
        users.add_metric([name], count)
    yield users
    state = GaugeMetricFamily(
        "locust_runner_state",
        "1 for the runner's current state; target: the server(s) it loads",
        labels=["state", "target"],
    )
    state.add_metric([str(runner.state), target], 1)
    yield state


def _requests(stats: Any, run: str) -> Iterator[Metric]:
    labels = ["method", "name", "target"]
    requests = CounterMetricFamily(
        "locust_requests", "Requests finished since the test started", labels=labels
    )
    failures = CounterMetricFamily(
        "locust_failures", "Requests that failed since the test started", labels=labels
    )
    rps = GaugeMetricFamily(
        "locust_requests_per_second", "Requests per second over the last seconds", labels=labels
    )
    avg = GaugeMetricFamily(
        "locust_response_time_avg_seconds",
        "Mean response time since the test started (exact, not rounded)",
        labels=labels,
    )
    pct = GaugeMetricFamily(
        "locust_response_time_seconds",
        "Response-time percentile since the test started. " + NOTE,
        labels=[*labels, "quantile"],
    )
    entries = [*stats.entries.values(), stats.total]
    for e in entries:
        name = e.name if e is not stats.total else AGGREGATED
        key = [e.method or "", name, run if e is stats.total else target_of(name, run)]
        requests.add_metric(key, e.num_requests)
        failures.add_metric(key, e.num_failures)
        rps.add_metric(key, e.current_rps)
        if e.num_requests - e.num_none_requests > 0:
            avg.add_metric(key, e.avg_response_time / 1000.0)
            for q in QUANTILES:
                pct.add_metric([*key, f"{q:g}"], e.get_response_time_percentile(q) / 1000.0)
    yield from (requests, failures, rps, avg, pct)


def _nodes(runner: Any) -> Iterator[Metric]:
    cpu = GaugeMetricFamily(
        "locust_cpu_percent",
        "CPU use of each Locust process, % of one core (>= 90 %: the generator is saturated)",
        labels=["node"],
    )
    clients = getattr(runner, "clients", None)
    if clients is None:
        cpu.add_metric(["local"], runner.current_cpu_usage)
    else:
        cpu.add_metric(["master"], runner.current_cpu_usage)
        for i, node in enumerate(sorted(clients.values(), key=lambda n: n.id)):
            cpu.add_metric([f"worker-{i}"], node.cpu_usage)
        workers = GaugeMetricFamily("locust_workers", "Connected Locust workers")
        workers.add_metric([], runner.worker_count)
        yield workers
    yield cpu
