"""Sync vs Async: WSGI and ASGI side by side, one function per row of the dashboard."""

from __future__ import annotations

from contracts.dashboards import LOAD_GENERATOR, SLOW_UPSTREAM, SYNC_VS_ASYNC
from contracts.topology import SCRAPE_ONLY
from grafana.dashboard import (
    EXERCISE_ANNOTATION,
    LOAD_TEST_ANNOTATION,
    dashboard,
    panel_link,
    query_variable,
)
from grafana.panels import (
    Json,
    Layout,
    quantile,
    rate,
    reference,
    server_colors,
    stat,
    table,
    text,
    timeseries,
)

TRAFFIC = 'route!~"metrics|healthz"'  # Django routes that are not probes
# The slots, not the programs: which program fills each (gunicorn, uvicorn, granian; sync,
# gthread or gevent workers) is a setting, named in the legends by `runs_as`.
SERVERS = (("wsgi", "WSGI"), ("asgi", "ASGI"))
# lab_server_info reduced to what tells configurations apart; joined on `server` so a
# series' legend names the program that served it (the info exists as soon as the limit
# does: both are set by a process's first request, the first scrape included).
INFO = "max by (server, implementation, worker_class) (lab_server_info)"
RUNS_AS = "{{server}} ({{implementation}} {{worker_class}})"
NO_TRAFFIC = "no traffic yet"
NO_GEVENT = "for gevent workers only (WSGI_WORKER_CLASS=gevent)"
# The lab's services, not the targets up only while a command runs (`lab exercise run`'s
# phase gauge): those are down between runs, which is no fault to show in red.
SERVICE_TARGETS = 'service!~"' + "|".join(t.name for t in SCRAPE_ONLY) + '"'

INTRO = """\
**Run** `lab up`, then load it: start a test in Locust's web UI (port 8089), target `both`
to watch the two servers under the same load (slow I/O), or `wsgi` / `asgi` one at a time
for CPU-bound work (both at once would share the cores). `lab exercise run seed-table`
scripts four phases and prints its verdict in the terminal (its servers run on ports of
their own).

**Look first** at the left: each server's requests/s against its dashed bound (touching it =
saturated), then p95. **Orange = WSGI**, **blue = ASGI**.

**Read** `observability.md` (this dashboard), `metrics.md` (every series), `load.md`,
`exercises.md`, in the repository's `docs/`.
"""

LITTLE = (
    "Little's law: L = λ × W. The mean number of requests in service (L) is the throughput "
    "(λ) times the mean latency (W). A server can have at most N requests in service: "
    "workers × threads for a threaded WSGI server (gunicorn sync or gthread, granian: a "
    "thread waits through each request), workers × greenlets for gevent, workers × "
    "upstream pool size for an ASGI one (uvicorn, granian: one event loop holds every "
    "waiting request, so N counts pooled upstream connections, not threads, and its bound "
    "is far higher). So its throughput cannot exceed the bound N ÷ W (dashed). The gap "
    "between a server's line and its bound is the share of the bound it uses (throughput ÷ "
    "bound = L ÷ N; on this log axis the vertical gap is that ratio); touching the bound "
    "means saturated: more load only queues, and latency grows. `limited_by=cpu`: the event "
    "loop (or gevent's hub) is CPU-bound, the CPU caps the throughput first and the bound "
    "overestimates it. The legend names what runs each server (lab_server_info)."
)

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


def runs_as(expr: str) -> str:
    """The series of `expr` with the labels that name its server's program, for RUNS_AS."""
    return f"{expr} * on (server) group_left (implementation, worker_class) {INFO}"


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
        "The same Django app on its WSGI and ASGI servers (gunicorn, uvicorn or granian, as "
        "configured), side by side: what happens, how far each is from its Little's-law "
        "bound, and why.",
        g.panels,
        variables=[
            query_variable(
                "route",
                "Route",
                f"lab_http_request_duration_seconds_count{{{TRAFFIC}}}",
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
        "Requests/s of each server (log scale) and, dashed, its Little's-law bound. " + LITTLE,
        [
            (runs_as("server:lab_http_requests:rate30s"), RUNS_AS),
            (runs_as("server:lab_throughput_bound:rate30s"), "{{server}} bound ({{limited_by}})"),
        ],
        "reqps",
        log=True,
        overrides=[*server_colors(), reference(" bound")],
        no_value=NO_TRAFFIC,
        links=[panel_link(LOAD_GENERATOR)],
    )
    g.add(both_throughput, 8, 9)
    both_p95 = timeseries(
        "p95 latency: both servers",
        "The latency 95 % of requests stay under (all routes except probes). The server "
        "that serves more at a lower p95 is winning.",
        [
            (
                runs_as('server_quantile:lab_http_request_duration_seconds:30s{quantile="0.95"}'),
                RUNS_AS,
            )
        ],
        "s",
        overrides=server_colors(),
        no_value=NO_TRAFFIC,
    )
    g.add(both_p95, 7, 9)
    peak = stat(
        "Peak throughput (time range)",
        "Each server's highest requests/s over the dashboard's time range: two runs one "
        "after the other compare here.",
        [("max_over_time(server:lab_http_requests:rate30s[$__range])", "{{server}}")],
        "reqps",
        overrides=server_colors(),
        no_value=NO_TRAFFIC,
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
        no_value=NO_TRAFFIC,
    )
    g.stack([(peak, 4), (worst, 5)], 4)
    g.add(text("Start here", INTRO), 5, 9)


def shape(g: Layout) -> None:
    g.row("Shape: how each server runs, how much of its bound it uses")
    servers = table(
        "Servers",
        "How each server runs (gunicorn with sync, gthread or gevent workers, uvicorn, "
        "granian; threads per worker are greenlets for gevent, 1 for an event loop). Both "
        "serve the same Django project with the same settings; "
        "N, next to it, is what their shape allows in service at once. proxy: what stands in "
        "front of both (LAB_PROXY): off, the servers themselves; nginx, every request and "
        "every client figure goes through it.",
        "max by (server, implementation, worker_class, workers, threads, proxy) (lab_server_info)",
        [
            ("server", "server"),
            ("implementation", "implementation"),
            ("worker_class", "worker class"),
            ("workers", "workers"),
            ("threads", "threads per worker"),
            ("proxy", "proxy"),
        ],
        no_value="no request served yet",
    )
    g.add(servers, 9, 5)
    limit = stat(
        "Concurrency limit N",
        "Requests each server can have in service at once: workers x threads (gunicorn "
        "sync or gthread, granian WSGI), workers x greenlets (gevent), each worker never "
        "more than its upstream pool; workers x upstream pool size (ASGI: uvicorn, granian).",
        [("server:lab_concurrency_limit:max", "{{server}}")],
        "none",
        overrides=server_colors(),
        no_value="no request served yet",
    )
    g.add(limit, 5, 5)
    used = stat(
        "Share of the bound used",
        "Measured throughput / Little's-law bound = mean requests in service / N. "
        "100 %: the server is saturated; more load only queues.",
        [("server:lab_capacity_used:ratio30s", "{{server}}")],
        "percentunit",
        thresholds=[(0.7, "orange"), (0.95, "red")],
        no_value=NO_TRAFFIC,
    )
    g.add(used, 5, 5)
    loop = stat(
        "Event loop or gevent hub",
        "CPU-bound when the p99 lag of the event loop (ASGI) or of gevent's hub (gevent "
        "workers) exceeds 20 ms: it computes instead of waiting, and its concurrency bound is "
        "out of reach. Threaded workers have neither.",
        [("server:lab_cpu_bound:30s", "{{server}}")],
        "none",
        mappings=CPU_BOUND_MAPPINGS,
        thresholds=[(1, "red")],
        no_value="no ASGI or gevent traffic yet",
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
        "Measured requests/s (log scale) against, dashed, the bound N ÷ W. " + LITTLE,
        [
            (runs_as(f'server:lab_http_requests:rate30s{{server="{server}"}}'), RUNS_AS),
            (
                f'server:lab_throughput_bound:rate30s{{server="{server}"}}',
                "{{server}} bound ({{limited_by}})",
            ),
        ],
        "reqps",
        log=True,
        overrides=[*server_colors(), reference(" bound")],
        no_value=NO_TRAFFIC,
        links=[panel_link(LOAD_GENERATOR)],
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
        no_value=NO_TRAFFIC,
    )


def in_flight(server: str, name: str) -> Json:
    return timeseries(
        f"{name}: requests in flight",
        "In flight now (sampled at each scrape), the mean in service over the window "
        "(L = λ × W, Little's law), and, dashed, the concurrency limit N: a server whose "
        "L reaches N is saturated.",
        [
            (
                f'server:lab_http_requests_in_flight:sum{{server="{server}"}}',
                "{{server}} in flight",
            ),
            (
                f'server:lab_concurrency_in_service:rate30s{{server="{server}"}}',
                "{{server}} mean in service (L)",
            ),
            (f'server:lab_concurrency_limit:max{{server="{server}"}}', "{{server}} limit N"),
        ],
        "none",
        overrides=[*server_colors(shades=True), reference(" limit N$")],
        no_value=NO_TRAFFIC,
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
        no_value=NO_TRAFFIC,
    )


def why(g: Layout) -> None:
    g.row("Why: threads, the event loop, the upstream")
    threads = timeseries(
        "OS threads per worker process",
        "Threads of each worker process. Threaded workers (gthread, granian WSGI) hold one "
        "per request slot; gevent's greenlets are not threads; under ASGI every sync view "
        "or middleware adds threads (asgiref's executors).",
        [("lab_process_threads", "{{server}} pid {{pid}}")],
        "none",
        overrides=server_colors(shades=True),
        no_value="no request served yet",
    )
    g.add(threads, 6, 8)
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
        no_value="no ASGI traffic yet",
    )
    g.add(loop_lag, 6, 8)
    hub_lag = timeseries(
        "gevent hub lag (WSGI)",
        "The event-loop lag's twin for gevent workers: how late the hub wakes a greenlet "
        "that sleeps 100 ms. Every greenlet of a worker shares its one thread, so CPU work "
        "or a blocking C call in any of them delays all the others. The dashed line is the "
        "CPU-bound threshold (20 ms).",
        [
            (quantile("0.5", "lab_gevent_hub_lag_seconds", "server, le"), "{{server}} p50"),
            ("server:lab_gevent_hub_lag_seconds:p99_30s", "{{server}} p99"),
        ],
        "s",
        thresholds=[(0.02, "red")],
        overrides=server_colors(shades=True),
        no_value=NO_GEVENT,
    )
    g.add(hub_lag, 6, 8)
    upstream = timeseries(
        "Upstream: configured delay and the calls the servers make",
        "What the servers wait for, like with like: the p95 of the delay the slow upstream "
        "draws (its own metric, dashed) and the p95 of the calls each server makes, by HTTP "
        "client. A call's p95 well above the upstream's means the wait is on the server's "
        "side (a full pool, a blocked event loop), not the upstream's.",
        [
            (
                quantile("0.95", "upstream_delay_configured_seconds", "le"),
                "upstream configured (p95)",
            ),
            (
                quantile("0.95", "lab_upstream_request_duration_seconds", "server, client, le"),
                "{{server}} via {{client}} (p95)",
            ),
        ],
        "s",
        overrides=[*server_colors(shades=True), reference("^upstream configured")],
        no_value="no upstream calls yet",
        links=[panel_link(SLOW_UPSTREAM)],
    )
    g.add(upstream, 6, 8)


def per_route(g: Layout) -> None:
    g.row("Per route ($route)", collapsed=True)
    chosen = f'{TRAFFIC}, route=~"$route"'
    by_route = timeseries(
        "Throughput by route",
        "Requests/s of each route on each server.",
        [
            (
                "sum by (server, route) ("
                + rate(f"lab_http_request_duration_seconds_count{{{chosen}}}")
                + ")",
                "{{server}} {{route}}",
            )
        ],
        "reqps",
        overrides=server_colors(shades=True),
        no_value=NO_TRAFFIC,
        links=[panel_link(LOAD_GENERATOR)],
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
        no_value=NO_TRAFFIC,
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
        no_value="no /db traffic yet",
    )
    g.add(slow_queries, 8, 8)


def lab_health(g: Layout) -> None:
    g.row("Lab health", collapsed=True)
    up = stat(
        "Targets up",
        "1 when Prometheus's last scrape of the service succeeded. The exercise target is "
        "left out: it is up only while `lab exercise run` runs.",
        [(f"up{{{SERVICE_TARGETS}}}", "{{service}}")],
        "none",
        mappings=UP_MAPPINGS,
        no_value="no scrape yet",
    )
    g.add(up, 12, 5)
    scrapes = timeseries(
        "Scrape duration",
        "How long each /metrics answer took. A saturated sync server answers its scrape "
        "only when a worker is free: long scrapes are a symptom, not a bug.",
        [(f"scrape_duration_seconds{{{SERVICE_TARGETS}}}", "{{service}}")],
        "s",
        overrides=server_colors(),
        no_value="no scrape yet",
    )
    g.add(scrapes, 12, 5)
