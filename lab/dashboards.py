"""The lab's Grafana dashboards, generated (classic dashboard JSON, provisioned from files).

`python -m lab.dashboards` writes `grafana/dashboards/*.json`; a test keeps the committed
files equal to what this module generates, so edit here, not in the JSON. Every panel
queries the provisioned datasource (fixed uid `lab-prometheus`) and every dashboard has a
fixed uid, so links and provisioning never depend on database ids.

Three dashboards (docs/observability.md explains how to read them):

- Sync vs Async: WSGI and ASGI side by side: what happens (throughput, latency, in-flight,
  errors), how far each server is from its Little's-law bound, and why (threads, event-loop
  lag, the upstream's delay).
- Load generator: Locust's users, request rate, failures and percentiles.
- Slow upstream: in-flight and queued requests, configured vs actual delay, faults.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DASHBOARD_DIR = REPO / "grafana" / "dashboards"

DATASOURCE_UID = "lab-prometheus"
DS: dict[str, str] = {"type": "prometheus", "uid": DATASOURCE_UID}
TAG = "asynclab"
# One window everywhere (the recording rules use it too), so panels agree with each other.
WINDOW = "30s"
TRAFFIC = 'route!~"metrics|healthz"'  # Django routes that are not probes
SERVERS = (("wsgi", "WSGI (gunicorn)"), ("asgi", "ASGI (uvicorn)"))

Json = dict[str, Any]


class Layout:
    """Places panels left to right on Grafana's 24-column grid; ids in placement order."""

    def __init__(self) -> None:
        self.panels: list[Json] = []
        self.x = 0
        self.y = 0
        self.row_h = 0

    def add(self, panel: Json, w: int, h: int) -> None:
        if self.x + w > 24:
            self.newline()
        panel["id"] = len(self.panels) + 1
        panel["gridPos"] = {"h": h, "w": w, "x": self.x, "y": self.y}
        self.panels.append(panel)
        self.x += w
        self.row_h = max(self.row_h, h)

    def newline(self) -> None:
        if self.x:
            self.y += self.row_h
        self.x, self.row_h = 0, 0

    def row(self, title: str) -> None:
        self.newline()
        self.add({"type": "row", "title": title, "collapsed": False, "panels": []}, 24, 1)
        self.newline()


def target(expr: str, legend: str, ref: str) -> Json:
    return {"datasource": DS, "expr": expr, "legendFormat": legend, "refId": ref, "range": True}


def _targets(queries: Sequence[tuple[str, str]]) -> list[Json]:
    return [target(e, legend, chr(ord("A") + i)) for i, (e, legend) in enumerate(queries)]


def timeseries(
    title: str,
    description: str,
    queries: Sequence[tuple[str, str]],
    unit: str,
    *,
    log: bool = False,
    overrides: Sequence[Json] = (),
    thresholds: Sequence[tuple[float, str]] = (),
) -> Json:
    custom: Json = {"drawStyle": "line", "lineWidth": 2, "fillOpacity": 8, "showPoints": "never"}
    if log:
        custom["scaleDistribution"] = {"type": "log", "log": 10}
    if thresholds:
        custom["thresholdsStyle"] = {"mode": "line"}
    return {
        "type": "timeseries",
        "title": title,
        "description": description,
        "datasource": DS,
        "targets": _targets(queries),
        "fieldConfig": {
            "defaults": {
                "unit": unit,
                "min": None if log else 0,
                "custom": custom,
                "thresholds": _thresholds(thresholds),
            },
            "overrides": list(overrides),
        },
        "options": {
            "legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
            "tooltip": {"mode": "multi", "sort": "desc"},
        },
    }


def stat(
    title: str,
    description: str,
    queries: Sequence[tuple[str, str]],
    unit: str,
    *,
    thresholds: Sequence[tuple[float, str]] = (),
    mappings: Sequence[Json] = (),
    text_mode: str = "value_and_name",
) -> Json:
    return {
        "type": "stat",
        "title": title,
        "description": description,
        "datasource": DS,
        "targets": _targets(queries),
        "fieldConfig": {
            "defaults": {
                "unit": unit,
                "thresholds": _thresholds(thresholds),
                "mappings": list(mappings),
            },
            "overrides": [],
        },
        "options": {
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            "colorMode": "value",
            "graphMode": "none",
            "textMode": text_mode,
            "justifyMode": "auto",
            "orientation": "auto",
        },
    }


def _thresholds(steps: Sequence[tuple[float, str]]) -> Json:
    base: list[Json] = [{"color": "green", "value": None}]
    return {"mode": "absolute", "steps": base + [{"color": c, "value": v} for v, c in steps]}


def by_name_color(name: str, color: str) -> Json:
    return {
        "matcher": {"id": "byName", "options": name},
        "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": color}}],
    }


def by_regex_dashed(pattern: str) -> Json:
    return {
        "matcher": {"id": "byRegexp", "options": pattern},
        "properties": [
            {"id": "custom.lineStyle", "value": {"fill": "dash", "dash": [10, 10]}},
            {"id": "custom.fillOpacity", "value": 0},
        ],
    }


def query_variable(name: str, label: str, metric: str, description: str) -> Json:
    """A multi-value variable over a label's values, "All" by default."""
    query = f"label_values({metric}, {name})"
    return {
        "type": "query",
        "name": name,
        "label": label,
        "description": description,
        "datasource": DS,
        "query": {"query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery"},
        "definition": query,
        "refresh": 2,  # on time-range change: new routes appear without reloading
        "multi": True,
        "includeAll": True,
        "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
        "sort": 1,
        "hide": 0,
    }


def annotation(name: str, expr: str, title: str, text: str, tags: str, color: str) -> Json:
    """A Prometheus annotation: each run of samples of a series becomes one region."""
    return {
        "name": name,
        "datasource": DS,
        "enable": True,
        "hide": False,
        "iconColor": color,
        "expr": expr,
        "step": "5s",
        "titleFormat": title,
        "textFormat": text,
        "tagKeys": tags,
        "useValueForTime": False,
    }


BUILTIN_ANNOTATION: Json = {
    "builtIn": 1,
    "datasource": {"type": "grafana", "uid": "-- Grafana --"},
    "enable": True,
    "hide": True,
    "iconColor": "rgba(0, 211, 255, 1)",
    "name": "Annotations & Alerts",
    "type": "dashboard",
}

LOAD_TEST_ANNOTATION = annotation(
    "Load test",
    'locust_runner_state{state=~"spawning|running"} == 1',
    "Locust {{state}}",
    "the load generator is {{state}}",
    "state",
    "rgba(255, 152, 48, 0.6)",
)
# Exported by the exercises (`lab_exercise_phase{exercise, phase} 1` while a phase runs):
# see docs/observability.md.
EXERCISE_ANNOTATION = annotation(
    "Exercise phase",
    "lab_exercise_phase == 1",
    "{{exercise}}",
    "phase {{phase}}",
    "exercise,phase",
    "rgba(138, 184, 255, 0.6)",
)


def dashboard(
    uid: str,
    title: str,
    description: str,
    panels: list[Json],
    *,
    variables: Sequence[Json] = (),
    annotations: Sequence[Json] = (),
) -> Json:
    return {
        "uid": uid,
        "id": None,
        "title": title,
        "description": description,
        "tags": [TAG],
        "timezone": "browser",
        "editable": False,
        "graphTooltip": 1,  # shared crosshair: the same instant on every panel
        "refresh": "5s",
        "time": {"from": "now-15m", "to": "now"},
        "timepicker": {"refresh_intervals": ["2s", "5s", "10s", "30s", "1m"]},
        "schemaVersion": 39,
        "version": 1,
        "annotations": {"list": [BUILTIN_ANNOTATION, *annotations]},
        "templating": {"list": list(variables)},
        "links": [
            {
                "type": "dashboards",
                "title": "asynclab",
                "tags": [TAG],
                "asDropdown": False,
                "includeVars": False,
                "keepTime": True,
            }
        ],
        "panels": panels,
    }


def rate(selector: str) -> str:
    return f"rate({selector}[{WINDOW}])"


def quantile(q: str, metric: str, by: str, selector: str = "") -> str:
    inner = f"{metric}_bucket{{{selector}}}" if selector else f"{metric}_bucket"
    return f"histogram_quantile({q}, sum by ({by}) ({rate(inner)}))"


# --- Sync vs Async -------------------------------------------------------------------------

CPU_BOUND_MAPPINGS: list[Json] = [
    {
        "type": "value",
        "options": {
            "0": {"text": "waiting (I/O-bound)", "color": "green", "index": 0},
            "1": {"text": "CPU-bound", "color": "red", "index": 1},
        },
    }
]


def sync_vs_async() -> Json:
    g = Layout()
    g.row("Shape: how each server runs, how much of its bound it uses")
    g.add(
        stat(
            "Servers",
            "How each server runs: implementation, worker class, workers x threads. Both "
            "serve the same Django project with the same settings.",
            [
                (
                    "max by (server, implementation, worker_class, workers, threads) "
                    "(lab_server_info)",
                    "{{server}}: {{implementation}} {{worker_class}}, {{workers}} workers x "
                    "{{threads}} threads",
                )
            ],
            "none",
            text_mode="name",
        ),
        8,
        4,
    )
    g.add(
        stat(
            "Concurrency limit N",
            "Requests each server can have in service at once: workers x threads (WSGI), "
            "workers x upstream pool size (ASGI).",
            [("server:lab_concurrency_limit:max", "{{server}}")],
            "none",
        ),
        5,
        4,
    )
    g.add(
        stat(
            "Share of the bound used",
            "Measured throughput / Little's-law bound = mean requests in service / N. "
            "100 %: the server is saturated; more load only queues.",
            [("server:lab_capacity_used:ratio30s", "{{server}}")],
            "percentunit",
            thresholds=[(0.7, "orange"), (0.95, "red")],
        ),
        6,
        4,
    )
    g.add(
        stat(
            "Event loop",
            "CPU-bound when the loop's p99 lag exceeds 20 ms: it computes instead of "
            "waiting, and its concurrency bound is out of reach.",
            [("server:lab_cpu_bound:30s", "{{server}}")],
            "none",
            mappings=CPU_BOUND_MAPPINGS,
            thresholds=[(1, "red")],
        ),
        5,
        4,
    )

    g.row("What happens: throughput against its bound, latency, in flight, errors")
    for server, name in SERVERS:
        g.add(
            timeseries(
                f"{name}: throughput vs Little's-law bound",
                "Measured requests/s against the bound N / W (concurrency limit over mean "
                "latency). `limited_by=cpu`: the event loop is CPU-bound, so the bound is "
                "an overestimate. Log scale.",
                [
                    (f'server:lab_http_requests:rate30s{{server="{server}"}}', "measured"),
                    (
                        f'server:lab_throughput_bound:rate30s{{server="{server}"}}',
                        "bound ({{limited_by}})",
                    ),
                ],
                "reqps",
                log=True,
                overrides=[by_name_color("measured", "blue"), by_regex_dashed("bound.*")],
            ),
            12,
            8,
        )
    for server, name in SERVERS:
        g.add(
            timeseries(
                f"{name}: latency p50 / p95 / p99",
                "Request latency seen by the Django middleware (all routes except probes).",
                [
                    (
                        f'server_quantile:lab_http_request_duration_seconds:30s{{server="{server}"}}',
                        "p{{quantile}}",
                    ),
                    (
                        f'server:lab_http_request_duration_seconds:mean30s{{server="{server}"}}',
                        "mean",
                    ),
                ],
                "s",
                overrides=[by_regex_dashed("mean")],
            ),
            12,
            8,
        )
    for server, name in SERVERS:
        g.add(
            timeseries(
                f"{name}: requests in flight",
                "In flight now (sampled at each scrape) and the mean in service over the "
                "window (L = lambda x W, Little's law). Compare with the concurrency limit.",
                [
                    (f'server:lab_http_requests_in_flight:sum{{server="{server}"}}', "in flight"),
                    (
                        f'server:lab_concurrency_in_service:rate30s{{server="{server}"}}',
                        "mean in service (L)",
                    ),
                ],
                "none",
            ),
            12,
            7,
        )
    for server, name in SERVERS:
        g.add(
            timeseries(
                f"{name}: errors",
                "5xx answers per second, and their share of all answers.",
                [
                    (f'server:lab_http_errors:rate30s{{server="{server}"}}', "5xx/s"),
                    (f'server:lab_http_errors:ratio30s{{server="{server}"}}', "share"),
                ],
                "reqps",
                overrides=[
                    {
                        "matcher": {"id": "byName", "options": "share"},
                        "properties": [
                            {"id": "unit", "value": "percentunit"},
                            {"id": "custom.axisPlacement", "value": "right"},
                        ],
                    }
                ],
            ),
            12,
            7,
        )

    g.row("Why: threads, the event loop, the upstream")
    g.add(
        timeseries(
            "OS threads per worker process",
            "Threads of each worker process. Sync workers hold one per request slot; under "
            "ASGI every sync view or middleware adds threads (asgiref's executors).",
            [("lab_process_threads", "{{server}} pid {{pid}}")],
            "none",
        ),
        8,
        8,
    )
    g.add(
        timeseries(
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
        ),
        8,
        8,
    )
    g.add(
        timeseries(
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
            overrides=[by_name_color("upstream configured (mean)", "yellow")],
        ),
        8,
        8,
    )

    g.row("Per route ($route)")
    g.add(
        timeseries(
            "Throughput by route",
            "Requests/s of each route on each server.",
            [
                (
                    "sum by (server, route) ("
                    + rate(f'lab_http_requests_total{{{TRAFFIC}, route=~"$route"}}')
                    + ")",
                    "{{server}} {{route}}",
                )
            ],
            "reqps",
        ),
        8,
        8,
    )
    g.add(
        timeseries(
            "p95 latency by route",
            "A bystander route (/ping) shows the collateral damage of its neighbours.",
            [
                (
                    quantile(
                        "0.95",
                        "lab_http_request_duration_seconds",
                        "server, route, le",
                        f'{TRAFFIC}, route=~"$route"',
                    ),
                    "{{server}} {{route}}",
                )
            ],
            "s",
        ),
        8,
        8,
    )
    g.add(
        timeseries(
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
        ),
        8,
        8,
    )

    g.row("Lab health")
    g.add(
        stat(
            "Targets up",
            "1 when Prometheus's last scrape of the service succeeded.",
            [("up", "{{service}}")],
            "none",
            mappings=[
                {
                    "type": "value",
                    "options": {
                        "0": {"text": "down", "color": "red", "index": 0},
                        "1": {"text": "up", "color": "green", "index": 1},
                    },
                }
            ],
        ),
        12,
        5,
    )
    g.add(
        timeseries(
            "Scrape duration",
            "How long each /metrics answer took. A saturated sync server answers its scrape "
            "only when a worker is free: long scrapes are a symptom, not a bug.",
            [("scrape_duration_seconds", "{{service}}")],
            "s",
        ),
        12,
        5,
    )
    return dashboard(
        "lab-sync-vs-async",
        "Sync vs Async",
        "The same Django app on gunicorn (WSGI) and uvicorn (ASGI), side by side: what "
        "happens, how far each is from its Little's-law bound, and why.",
        g.panels,
        variables=[
            query_variable(
                "route",
                "Route",
                f"lab_http_requests_total{{{TRAFFIC}}}",
                "Django URL names for the per-route row",
            )
        ],
        annotations=[LOAD_TEST_ANNOTATION, EXERCISE_ANNOTATION],
    )


# --- Load generator ------------------------------------------------------------------------


def load_generator() -> Json:
    g = Layout()
    name_sel = 'name=~"$name"'
    g.add(
        stat(
            "Users",
            "Running Locust users (closed loop: each keeps one request in flight).",
            [("sum(locust_users)", "users")],
            "none",
        ),
        6,
        4,
    )
    g.add(
        stat(
            "Runner state",
            "The runner's current state.",
            [("locust_runner_state == 1", "{{state}}")],
            "none",
            text_mode="name",
        ),
        6,
        4,
    )
    g.add(
        stat(
            "Workers",
            "Connected Locust workers (0: a single local process generates the load).",
            [("sum(locust_workers) or vector(0)", "workers")],
            "none",
        ),
        6,
        4,
    )
    g.add(
        stat(
            "Generator CPU",
            "CPU of each Locust process, % of one core. At 90 % and above the generator, "
            "not the server, limits the measurement.",
            [("locust_cpu_percent", "{{node}}")],
            "percent",
            thresholds=[(70, "orange"), (90, "red")],
        ),
        6,
        4,
    )
    g.add(
        timeseries(
            "Users by class",
            "Running users per user class.",
            [("locust_users", "{{user_class}}")],
            "none",
        ),
        12,
        8,
    )
    g.add(
        timeseries(
            "Requests/s by name",
            "From Locust's request counter (same window as the servers' panels), and "
            "Locust's own current rate for all requests.",
            [
                (
                    "sum by (name) ("
                    + rate(f'locust_requests_total{{{name_sel}, name!="Aggregated"}}')
                    + ")",
                    "{{name}}",
                ),
                ('locust_requests_per_second{name="Aggregated"}', "all (Locust's current rate)"),
            ],
            "reqps",
            overrides=[by_regex_dashed("all.*")],
        ),
        12,
        8,
    )
    g.add(
        timeseries(
            "Failures/s by name",
            "Failed requests per second (HTTP errors, timeouts, connection errors).",
            [(f"sum by (name) ({rate(f'locust_failures_total{{{name_sel}}}')})", "{{name}}")],
            "reqps",
        ),
        12,
        8,
    )
    g.add(
        timeseries(
            "Response time percentiles (since the test started)",
            "Locust's cumulative percentiles: rounded (exact below 100 ms, then ~2 "
            "significant digits) and closed-loop (coordinated omission). For latency under "
            "overload, prefer `lab load` (open model).",
            [
                (f"locust_response_time_seconds{{{name_sel}}}", "{{name}} p{{quantile}}"),
                (f"locust_response_time_avg_seconds{{{name_sel}}}", "{{name}} mean"),
            ],
            "s",
        ),
        12,
        8,
    )
    return dashboard(
        "lab-load-generator",
        "Load generator",
        "Locust: users, request rate, failures and response-time percentiles.",
        g.panels,
        variables=[
            query_variable("name", "Request name", "locust_requests_total", "Locust request names")
        ],
        annotations=[LOAD_TEST_ANNOTATION],
    )


# --- Slow upstream -------------------------------------------------------------------------


def slow_upstream() -> Json:
    g = Layout()
    g.add(
        timeseries(
            "In flight and queued",
            "/slow requests being served (queued ones included) and those waiting for a "
            "slot of the upstream's max_concurrency.",
            [("upstream_requests_in_flight", "in flight"), ("upstream_queued_requests", "queued")],
            "none",
        ),
        12,
        8,
    )
    g.add(
        timeseries(
            "Requests by outcome",
            "Finished /slow requests per second, by outcome.",
            [(f"sum by (outcome) ({rate('upstream_requests_total')})", "{{outcome}}")],
            "reqps",
        ),
        12,
        8,
    )
    g.add(
        timeseries(
            "Delay: actual vs configured",
            "The delay drawn for each request and the one it actually waited (p50, p95). "
            "They should coincide; a gap means the upstream itself is overloaded.",
            [
                (quantile("0.5", "upstream_delay_configured_seconds", "le"), "configured p50"),
                (quantile("0.95", "upstream_delay_configured_seconds", "le"), "configured p95"),
                (quantile("0.5", "upstream_delay_actual_seconds", "le"), "actual p50"),
                (quantile("0.95", "upstream_delay_actual_seconds", "le"), "actual p95"),
            ],
            "s",
            overrides=[by_regex_dashed("configured.*")],
        ),
        12,
        8,
    )
    g.add(
        timeseries(
            "Overshoot (p99)",
            "Actual minus configured delay: how late the upstream's event loop wakes a "
            "request. The lab's precision target is under 2 ms.",
            [(quantile("0.99", "upstream_delay_overshoot_seconds", "le"), "p99 overshoot")],
            "s",
            thresholds=[(0.002, "red")],
        ),
        12,
        8,
    )
    g.add(
        timeseries(
            "Faults injected",
            "Faults per second by kind (error, hang, reset, overloaded = 503 from the "
            "concurrency limit).",
            [(f"sum by (fault) ({rate('upstream_faults_injected_total')})", "{{fault}}")],
            "reqps",
        ),
        24,
        7,
    )
    return dashboard(
        "lab-slow-upstream",
        "Slow upstream",
        "The FastAPI slow external API: what it is asked, what it injects, how precisely it waits.",
        g.panels,
        annotations=[LOAD_TEST_ANNOTATION],
    )


@dataclass(frozen=True)
class Query:
    """One PromQL query of a dashboard: a panel's target or an annotation."""

    dashboard: str  # the dashboard's title
    panel: str  # the panel's title, or "annotation: NAME"
    expr: str


def queries(d: Json) -> list[Query]:
    found = [
        Query(d["title"], f"annotation: {a['name']}", a["expr"])
        for a in d["annotations"]["list"]
        if "expr" in a
    ]
    for panel in d["panels"]:
        for t in panel.get("targets", []):
            found.append(Query(d["title"], panel["title"], t["expr"]))
    return found


def variables(d: Json) -> dict[str, tuple[str, str]]:
    """Each query variable's (metric selector, label) from its `label_values(...)`."""
    found = {}
    for v in d["templating"]["list"]:
        m = re.fullmatch(r"label_values\((.+), (\w+)\)", v["definition"])
        if m is None:
            raise ValueError(f"{d['title']}: variable {v['name']}: unexpected {v['definition']}")
        found[v["name"]] = (m.group(1), m.group(2))
    return found


def substitute(expr: str, values: Mapping[str, Sequence[str]]) -> str:
    """The expression as Grafana sends it when each variable has these values (a regex
    alternation, as Grafana formats a multi-value variable inside `=~`)."""

    def one(m: re.Match[str]) -> str:
        # Regex-escaped, then escaped again for the PromQL string literal.
        chosen = [re.escape(v).replace("\\", "\\\\") for v in values[m.group(1)]]
        return "(" + "|".join(chosen) + ")" if len(chosen) != 1 else chosen[0]

    return re.sub(r"\$(\w+)", one, expr)


DASHBOARDS = {
    "sync-vs-async.json": sync_vs_async,
    "load-generator.json": load_generator,
    "slow-upstream.json": slow_upstream,
}


def render(d: Json) -> str:
    return json.dumps(d, indent=2, ensure_ascii=False) + "\n"


def generated() -> Iterator[tuple[Path, str]]:
    for filename, build in DASHBOARDS.items():
        yield DASHBOARD_DIR / filename, render(build())


def main(argv: list[str]) -> int:
    """`python -m lab.dashboards [--check]`: write (or check) grafana/dashboards/*.json."""
    stale = []
    for path, text in generated():
        if argv == ["--check"]:
            if not path.is_file() or path.read_text() != text:
                stale.append(path.name)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    if stale:
        print(f"stale dashboards: {', '.join(stale)}; run `python -m lab.dashboards`")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
