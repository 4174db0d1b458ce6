"""Slow upstream: what the slow external API is asked, how precisely it waits, what it
injects; one function per row of the dashboard."""

from __future__ import annotations

from contracts.dashboards import SLOW_UPSTREAM
from grafana.dashboard import LOAD_TEST_ANNOTATION, dashboard
from grafana.panels import Json, Layout, by_regex_dashed, quantile, rate, timeseries

NO_CALLS = "no upstream calls yet"  # what a panel says before its data exists


def build() -> Json:
    g = Layout()
    requests(g)
    delay(g)
    faults(g)
    return dashboard(
        SLOW_UPSTREAM.uid,
        SLOW_UPSTREAM.title,
        "The FastAPI slow external API: what it is asked, what it injects, how precisely it waits.",
        g.panels,
        annotations=[LOAD_TEST_ANNOTATION],
    )


def requests(g: Layout) -> None:
    in_flight = timeseries(
        "In flight and queued",
        "/slow requests being served (queued ones included) and those waiting for a "
        "slot of the upstream's max_concurrency.",
        [("upstream_requests_in_flight", "in flight"), ("upstream_queued_requests", "queued")],
        "none",
        no_value=NO_CALLS,
    )
    g.add(in_flight, 12, 8)
    outcomes = timeseries(
        "Requests by outcome",
        "Finished /slow requests per second, by outcome.",
        [(f"sum by (outcome) ({rate('upstream_requests_total')})", "{{outcome}}")],
        "reqps",
        no_value=NO_CALLS,
    )
    g.add(outcomes, 12, 8)


def delay(g: Layout) -> None:
    actual_vs_configured = timeseries(
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
        no_value=NO_CALLS,
    )
    g.add(actual_vs_configured, 12, 8)
    overshoot = timeseries(
        "Overshoot (p99)",
        "Actual minus configured delay: how late the upstream's event loop wakes a "
        "request. The lab's precision target is under 2 ms.",
        [(quantile("0.99", "upstream_delay_overshoot_seconds", "le"), "p99 overshoot")],
        "s",
        thresholds=[(0.002, "red")],
        no_value=NO_CALLS,
    )
    g.add(overshoot, 12, 8)


def faults(g: Layout) -> None:
    injected = timeseries(
        "Faults injected",
        "Faults per second by kind (error, hang, reset, overloaded = 503 from the "
        "concurrency limit).",
        [(f"sum by (fault) ({rate('upstream_faults_injected_total')})", "{{fault}}")],
        "reqps",
        no_value=NO_CALLS,
    )
    g.add(injected, 24, 7)
