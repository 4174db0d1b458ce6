"""The exporter's collector against stand-ins for Locust's runner (locust itself must not be
imported here: it monkey-patches the test process for gevent)."""

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, generate_latest

from loadgen.locust_metrics import LocustCollector


@dataclass
class Entry:
    name: str
    method: str
    num_requests: int
    num_failures: int
    times_ms: list[int] = field(default_factory=list)
    num_none_requests: int = 0
    current_rps: float = 5.0

    @property
    def avg_response_time(self) -> float:
        return sum(self.times_ms) / len(self.times_ms)

    def get_response_time_percentile(self, q: float) -> int:
        ordered = sorted(self.times_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class Stats:
    entries: dict[tuple[str, str], Entry]
    total: Entry


@dataclass
class Node:
    id: str
    cpu_usage: float


@dataclass
class Master:
    stats: Stats
    clients: dict[str, Node]
    reported_user_classes_count: dict[str, int]
    state: str = "running"
    current_cpu_usage: float = 12.0
    worker_count: int = 2


def scrape(runner: object, target: str = "asgi") -> str:
    registry = CollectorRegistry()
    registry.register(LocustCollector(lambda: runner, lambda: target))
    return generate_latest(registry).decode()


def test_master_exports_users_requests_percentiles_and_workers() -> None:
    ping = Entry("/ping", "GET", 4, 1, [10, 20, 30, 400])
    total = Entry("Aggregated", "", 4, 1, [10, 20, 30, 400])
    runner = Master(
        stats=Stats({("/ping", "GET"): ping}, total),
        clients={"b": Node("b", 95.0), "a": Node("a", 40.0)},
        reported_user_classes_count={"IoAsyncUser": 6, "PingBystanderUser": 1},
    )
    text = scrape(runner)
    for line in (
        'locust_users{user_class="IoAsyncUser"} 6.0',
        'locust_requests_total{method="GET",name="/ping",target="asgi"} 4.0',
        'locust_failures_total{method="GET",name="/ping",target="asgi"} 1.0',
        'locust_requests_total{method="",name="Aggregated",target="asgi"} 4.0',
        'locust_response_time_seconds{method="GET",name="/ping",quantile="0.5",target="asgi"} 0.03',
        'locust_response_time_seconds{method="GET",name="/ping",quantile="0.99",target="asgi"} 0.4',
        'locust_response_time_avg_seconds{method="GET",name="/ping",target="asgi"} 0.115',
        'locust_runner_state{state="running",target="asgi"} 1.0',
        "locust_workers 2.0",
        'locust_cpu_percent{node="worker-0"} 40.0',
        'locust_cpu_percent{node="worker-1"} 95.0',
    ):
        assert line in text, line
    assert "rounded" in text  # the HELP text states Locust's rounding


def test_no_percentiles_before_the_first_request() -> None:
    total = Entry("Aggregated", "", 0, 0)
    runner = Master(Stats({}, total), {}, {})
    text = scrape(runner)
    assert 'locust_requests_total{method="",name="Aggregated",target="asgi"} 0.0' in text
    assert "locust_response_time_seconds{" not in text


def test_a_run_on_both_servers_labels_each_request_with_its_server() -> None:
    wsgi = Entry("wsgi /ping", "GET", 3, 0, [10, 20, 30])
    asgi = Entry("asgi /ping", "GET", 5, 0, [10, 20, 30])
    total = Entry("Aggregated", "", 8, 0, [10, 20, 30])
    runner = Master(
        Stats({("wsgi /ping", "GET"): wsgi, ("asgi /ping", "GET"): asgi}, total), {}, {}
    )
    text = scrape(runner, "both")
    for line in (
        'locust_requests_total{method="GET",name="wsgi /ping",target="wsgi"} 3.0',
        'locust_requests_total{method="GET",name="asgi /ping",target="asgi"} 5.0',
        'locust_requests_total{method="",name="Aggregated",target="both"} 8.0',
        'locust_runner_state{state="running",target="both"} 1.0',
    ):
        assert line in text, line
