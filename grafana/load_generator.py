"""Load generator: Locust's users, request rate, failures and percentiles, one function per
row of the dashboard."""

from __future__ import annotations

from contracts.dashboards import LOAD_GENERATOR
from grafana.dashboard import LOAD_TEST_ANNOTATION, dashboard, query_variable
from grafana.panels import (
    Json,
    Layout,
    by_regex_dashed,
    rate,
    reference,
    server_colors,
    stat,
    timeseries,
)

# The request names chosen in the `name` variable; never Locust's "Aggregated" total, which
# "All" (`.+`) would otherwise include.
NAME = 'name=~"$name", name!="Aggregated"'
NO_LOAD = "no load test yet"  # what a panel says before its data exists


def build() -> Json:
    g = Layout()
    generator(g)
    users_and_requests(g)
    failures_and_response_times(g)
    return dashboard(
        LOAD_GENERATOR.uid,
        LOAD_GENERATOR.title,
        "Locust: users, request rate, failures and response-time percentiles.",
        g.panels,
        variables=[
            query_variable(
                "name",
                "Request name",
                'locust_requests_total{name!="Aggregated"}',
                "Locust request names (not the Aggregated total)",
                all_value=".+",
            )
        ],
        annotations=[LOAD_TEST_ANNOTATION],
    )


def generator(g: Layout) -> None:
    users = stat(
        "Users",
        "Running Locust users (closed loop: each keeps one request in flight).",
        [("sum(locust_users)", "users")],
        "none",
        no_value=NO_LOAD,
    )
    g.add(users, 6, 4)
    state = stat(
        "Runner state",
        "The runner's current state.",
        [("locust_runner_state == 1", "{{state}}")],
        "none",
        text_mode="name",
        no_value=NO_LOAD,
    )
    g.add(state, 6, 4)
    workers = stat(
        "Workers",
        "Connected Locust workers (0: a single local process generates the load).",
        [("sum(locust_workers) or vector(0)", "workers")],
        "none",
        no_value=NO_LOAD,
    )
    g.add(workers, 6, 4)
    cpu = stat(
        "Generator CPU",
        "CPU of each Locust process, % of one core. At 90 % and above the generator, "
        "not the server, limits the measurement.",
        [("locust_cpu_percent", "{{node}}")],
        "percent",
        thresholds=[(70, "orange"), (90, "red")],
        no_value=NO_LOAD,
    )
    g.add(cpu, 6, 4)


def users_and_requests(g: Layout) -> None:
    by_class = timeseries(
        "Users by class",
        "Running users per user class.",
        [("locust_users", "{{user_class}}")],
        "none",
        no_value=NO_LOAD,
    )
    g.add(by_class, 12, 8)
    requests = timeseries(
        "Requests/s by name",
        "From Locust's request counter, and Locust's own current rate for all requests.",
        [
            ("sum by (name) (" + rate(f"locust_requests_total{{{NAME}}}") + ")", "{{name}}"),
            ('locust_requests_per_second{name="Aggregated"}', "all (Locust's current rate)"),
        ],
        "reqps",
        # A `both` run names each request after its server: its colour, as on Sync vs Async.
        overrides=[*server_colors(shades=True), reference("^all ")],
        no_value=NO_LOAD,
    )
    g.add(requests, 12, 8)


def failures_and_response_times(g: Layout) -> None:
    failures = timeseries(
        "Failures/s by name",
        "Failed requests per second (HTTP errors, timeouts, connection errors).",
        [(f"sum by (name) ({rate(f'locust_failures_total{{{NAME}}}')})", "{{name}}")],
        "reqps",
        overrides=server_colors(shades=True),
        no_value=NO_LOAD,
    )
    g.add(failures, 12, 8)
    percentiles = timeseries(
        "Response time p50 / p95 (since the test started)",
        "Locust's cumulative percentiles, dashed p95: rounded (exact below 100 ms, then ~2 "
        "significant digits) and closed-loop (coordinated omission). For latency under "
        "overload, prefer `lab load` (open model).",
        [
            (f'locust_response_time_seconds{{{NAME}, quantile="0.5"}}', "{{name}} p50"),
            (f'locust_response_time_seconds{{{NAME}, quantile="0.95"}}', "{{name}} p95"),
        ],
        "s",
        overrides=[*server_colors(shades=True), by_regex_dashed(" p95$")],
        no_value=NO_LOAD,
    )
    g.add(percentiles, 12, 8)
