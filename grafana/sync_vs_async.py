"""Sync vs Async: WSGI and ASGI side by side, one function per row of the dashboard."""

from __future__ import annotations

from contracts.dashboards import SYNC_VS_ASYNC
from grafana.dashboard import EXERCISE_ANNOTATION, LOAD_TEST_ANNOTATION, dashboard, query_variable
from grafana.panels import (
    Json,
    Layout,
    quantile,
    rate,
    reference,
    server_colors,
    stat,
    table,
    timeseries,
)

TRAFFIC = 'route!~"metrics|healthz"'  # Django routes that are not probes
SERVERS = (("wsgi", "WSGI (gunicorn)"), ("asgi", "ASGI (uvicorn)"))

CPU_BOUND_MAPPINGS: list[Json] = [
    {
        "type": "value",
        "options": {
            "0": {"text": "waiting (I/O-bound)", "color": "green", "index": 0},
            "1": {"text": "CPU-bound", "color": "red", "index": 1},
        },
    }
]

UP_MAPPINGS: list[Json] = [
    {
        "type": "value",
        "options": {
            "0": {"text": "down", "color": "red", "index": 0},
            "1": {"text": "up", "color": "green", "index": 1},
        },
    }
]


def build() -> Json:
    g = Layout()
    answer(g)
    shape(g)
    what_happens(g)
    why(g)
    per_route(g)
    lab_health(g)
    return dashboard(
        SYNC_VS_ASYNC.uid,
        SYNC_VS_ASYNC.title,
        "The same Django app on gunicorn (WSGI) and uvicorn (ASGI), side by side: what "
        "happens, how far each is from its Little's-law bound, and why.",
        g.panels,
        variables=[
            query_variable(
                "route",
                "Route",
                f"lab_http_requests_total{{{TRAFFIC}}}",
                "Django URL names for the per-route row",
                all_value=".+",
            )
        ],
        annotations=[LOAD_TEST_ANNOTATION, EXERCISE_ANNOTATION],
    )


def answer(g: Layout) -> None:
    """Both servers on one axis, top left: who serves more, who waits longer, and whether
    it is at its bound (the why). The tiles keep each server's figure over the whole range,
    so two runs one after the other compare too."""
    g.row("The answer: which server wins, and why")
    both_throughput = timeseries(
        "Throughput vs Little's-law bound: both servers",
        "Requests/s of each server and, dashed, its Little's-law bound N / W. A server "
        "touching its bound is saturated: more load only queues. Log scale.",
        [
            ("server:lab_http_requests:rate30s", "{{server}}"),
            ("server:lab_throughput_bound:rate30s", "{{server}} bound ({{limited_by}})"),
        ],
        "reqps",
        log=True,
        overrides=[*server_colors(), reference(" bound")],
    )
    g.add(both_throughput, 9, 9)
    both_p95 = timeseries(
        "p95 latency: both servers",
        "The latency 95 % of requests stay under (all routes except probes). The server "
        "that serves more at a lower p95 is winning.",
        [('server_quantile:lab_http_request_duration_seconds:30s{quantile="0.95"}', "{{server}}")],
        "s",
        overrides=server_colors(),
    )
    g.add(both_p95, 9, 9)
    peak = stat(
        "Peak throughput (time range)",
        "Each server's highest requests/s over the dashboard's time range: two runs one "
        "after the other compare here.",
        [("max_over_time(server:lab_http_requests:rate30s[$__range])", "{{server}}")],
        "reqps",
        overrides=server_colors(),
    )
    worst = stat(
        "Worst p95 (time range)",
        "Each server's highest p95 latency over the dashboard's time range.",
        [
            (
                "max_over_time(server_quantile:lab_http_request_duration_seconds:30s"
                '{quantile="0.95"}[$__range])',
                "{{server}}",
            )
        ],
        "s",
        overrides=server_colors(),
    )
    g.stack([(peak, 4), (worst, 5)], 6)


def shape(g: Layout) -> None:
    g.row("Shape: how each server runs, how much of its bound it uses")
    servers = table(
        "Servers",
        "How each server runs. Both serve the same Django project with the same settings; "
        "N, next to it, is what their shape allows in service at once.",
        "max by (server, implementation, worker_class, workers, threads) (lab_server_info)",
        [
            ("server", "server"),
            ("implementation", "implementation"),
            ("worker_class", "worker class"),
            ("workers", "workers"),
            ("threads", "threads per worker"),
        ],
    )
    g.add(servers, 9, 5)
    limit = stat(
        "Concurrency limit N",
        "Requests each server can have in service at once: workers x threads (WSGI), "
        "workers x upstream pool size (ASGI).",
        [("server:lab_concurrency_limit:max", "{{server}}")],
        "none",
        overrides=server_colors(),
    )
    g.add(limit, 5, 5)
    used = stat(
        "Share of the bound used",
        "Measured throughput / Little's-law bound = mean requests in service / N. "
        "100 %: the server is saturated; more load only queues.",
        [("server:lab_capacity_used:ratio30s", "{{server}}")],
        "percentunit",
        thresholds=[(0.7, "orange"), (0.95, "red")],
    )
    g.add(used, 5, 5)
    loop = stat(
        "Event loop",
        "CPU-bound when the loop's p99 lag exceeds 20 ms: it computes instead of "
        "waiting, and its concurrency bound is out of reach.",
        [("server:lab_cpu_bound:30s", "{{server}}")],
        "none",
        mappings=CPU_BOUND_MAPPINGS,
        thresholds=[(1, "red")],
    )
    g.add(loop, 5, 5)


def what_happens(g: Layout) -> None:
    """One column per server: each panel for WSGI, then the same for ASGI."""
    g.row("What happens: throughput against its bound, latency, in flight, errors")
    for panel, h in ((throughput, 8), (latency, 8), (in_flight, 7), (errors, 7)):
        for server, name in SERVERS:
            g.add(panel(server, name), 12, h)


def throughput(server: str, name: str) -> Json:
    return timeseries(
        f"{name}: throughput vs Little's-law bound",
        "Measured requests/s against the bound N / W (concurrency limit over mean "
        "latency). `limited_by=cpu`: the event loop is CPU-bound, so the bound is "
        "an overestimate. Log scale.",
        [
            (f'server:lab_http_requests:rate30s{{server="{server}"}}', "{{server}}"),
            (
                f'server:lab_throughput_bound:rate30s{{server="{server}"}}',
                "{{server}} bound ({{limited_by}})",
            ),
        ],
        "reqps",
        log=True,
        overrides=[*server_colors(), reference(" bound")],
    )


def latency(server: str, name: str) -> Json:
    return timeseries(
        f"{name}: latency p50 / p95 / p99",
        "Request latency seen by the Django middleware (all routes except probes).",
        [
            *(
                (
                    "server_quantile:lab_http_request_duration_seconds:30s"
                    f'{{server="{server}", quantile="{q}"}}',
                    f"{{{{server}}}} p{p}",
                )
                for q, p in (("0.5", "50"), ("0.95", "95"), ("0.99", "99"))
            ),
            (
                f'server:lab_http_request_duration_seconds:mean30s{{server="{server}"}}',
                "{{server}} mean",
            ),
        ],
        "s",
        overrides=[*server_colors(shades=True), reference(" mean$")],
    )


def in_flight(server: str, name: str) -> Json:
    return timeseries(
        f"{name}: requests in flight",
        "In flight now (sampled at each scrape) and the mean in service over the "
        "window (L = lambda x W, Little's law). Compare with the concurrency limit.",
        [
            (
                f'server:lab_http_requests_in_flight:sum{{server="{server}"}}',
                "{{server}} in flight",
            ),
            (
                f'server:lab_concurrency_in_service:rate30s{{server="{server}"}}',
                "{{server}} mean in service (L)",
            ),
        ],
        "none",
        overrides=server_colors(shades=True),
    )


def errors(server: str, name: str) -> Json:
    return timeseries(
        f"{name}: errors",
        "5xx answers per second, and their share of all answers.",
        [
            (f'server:lab_http_errors:rate30s{{server="{server}"}}', "{{server}} 5xx/s"),
            (f'server:lab_http_errors:ratio30s{{server="{server}"}}', "{{server}} share"),
        ],
        "reqps",
        overrides=[
            *server_colors(shades=True),
            {
                "matcher": {"id": "byRegexp", "options": " share$"},
                "properties": [
                    {"id": "unit", "value": "percentunit"},
                    {"id": "custom.axisPlacement", "value": "right"},
                ],
            },
        ],
    )


def why(g: Layout) -> None:
    g.row("Why: threads, the event loop, the upstream")
    threads = timeseries(
        "OS threads per worker process",
        "Threads of each worker process. Sync workers hold one per request slot; under "
        "ASGI every sync view or middleware adds threads (asgiref's executors).",
        [("lab_process_threads", "{{server}} pid {{pid}}")],
        "none",
        overrides=server_colors(shades=True),
    )
    g.add(threads, 8, 8)
    loop_lag = timeseries(
        "Event-loop lag (ASGI)",
        "How late the loop wakes a probe that sleeps 100 ms. Anything that blocks the "
        "loop (CPU in an async view, a blocking call) delays every request of the worker. "
        "The dashed line is the CPU-bound threshold (20 ms).",
        [
            (quantile("0.5", "lab_event_loop_lag_seconds", "server, le"), "{{server}} p50"),
            ("server:lab_event_loop_lag_seconds:p99_30s", "{{server}} p99"),
        ],
        "s",
        thresholds=[(0.02, "red")],
        overrides=server_colors(shades=True),
    )
    g.add(loop_lag, 8, 8)
    upstream = timeseries(
        "Upstream: configured delay and the calls the servers make",
        "What the servers wait for: the delay the slow upstream draws (its own metric), "
        "and the p95 of the calls each server makes, by HTTP client.",
        [
            (
                f"sum({rate('upstream_delay_configured_seconds_sum')}) / "
                f"sum({rate('upstream_delay_configured_seconds_count')})",
                "upstream configured (mean)",
            ),
            (
                quantile("0.95", "lab_upstream_request_duration_seconds", "server, client, le"),
                "{{server}} via {{client}} (p95)",
            ),
        ],
        "s",
        overrides=[*server_colors(shades=True), reference("^upstream configured")],
    )
    g.add(upstream, 8, 8)


def per_route(g: Layout) -> None:
    g.row("Per route ($route)")
    chosen = f'{TRAFFIC}, route=~"$route"'
    by_route = timeseries(
        "Throughput by route",
        "Requests/s of each route on each server.",
        [
            (
                "sum by (server, route) (" + rate(f"lab_http_requests_total{{{chosen}}}") + ")",
                "{{server}} {{route}}",
            )
        ],
        "reqps",
        overrides=server_colors(shades=True),
    )
    g.add(by_route, 8, 8)
    p95 = timeseries(
        "p95 latency by route",
        "A bystander route (/ping) shows the collateral damage of its neighbours.",
        [
            (
                quantile("0.95", "lab_http_request_duration_seconds", "server, route, le", chosen),
                "{{server}} {{route}}",
            )
        ],
        "s",
        overrides=server_colors(shades=True),
    )
    g.add(p95, 8, 8)
    slow_queries = timeseries(
        "Slow queries p95",
        "Database queries of the /db scenarios (pg_sleep / sqlite sleep), connection "
        "set-up included.",
        [
            (
                quantile("0.95", "lab_db_query_duration_seconds", "server, vendor, le"),
                "{{server}} {{vendor}}",
            )
        ],
        "s",
        overrides=server_colors(shades=True),
    )
    g.add(slow_queries, 8, 8)


def lab_health(g: Layout) -> None:
    g.row("Lab health")
    up = stat(
        "Targets up",
        "1 when Prometheus's last scrape of the service succeeded.",
        [("up", "{{service}}")],
        "none",
        mappings=UP_MAPPINGS,
    )
    g.add(up, 12, 5)
    scrapes = timeseries(
        "Scrape duration",
        "How long each /metrics answer took. A saturated sync server answers its scrape "
        "only when a worker is free: long scrapes are a symptom, not a bug.",
        [("scrape_duration_seconds", "{{service}}")],
        "s",
        overrides=server_colors(),
    )
    g.add(scrapes, 12, 5)
