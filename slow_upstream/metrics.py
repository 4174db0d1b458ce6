"""Prometheus metrics of the slow upstream (documented in docs/metrics.md).

The upstream is one process, so the default registry is right. Children with fixed labels
are bound once here: the hot path only calls `inc`/`observe`.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

DELAY_BUCKETS = (
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 2.5, 5.0, 10.0, 30.0, 60.0,
    120.0, 300.0, 600.0,
)  # fmt: skip
# Fine around the precision target (p99 overshoot under 2 ms).
OVERSHOOT_BUCKETS = (
    0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.025,
    0.05, 0.1, 0.25, 0.5, 1.0,
)  # fmt: skip

OUTCOMES = ("ok", "error", "hang", "reset", "overloaded", "invalid")
FAULTS = ("error", "hang", "reset", "overloaded")

REQUESTS = Counter("upstream_requests", "Finished /slow requests, by outcome.", ["outcome"])
# A caller that hangs up does not stop the wait: the request still finishes (and counts above),
# its answer reaching no one. Counting those apart tells a caller that waited from one that left.
ABANDONED = Counter(
    "upstream_requests_abandoned",
    "Finished /slow requests whose caller had closed the connection before the answer.",
)
IN_FLIGHT = Gauge(
    "upstream_requests_in_flight", "/slow requests being served now, queued ones included."
)
QUEUED = Gauge("upstream_queued_requests", "/slow requests waiting for a slot (max_concurrency).")
DELAY_CONFIGURED = Histogram(
    "upstream_delay_configured_seconds",
    "Delay drawn for a request (after distribution and cap).",
    buckets=DELAY_BUCKETS,
)
DELAY_ACTUAL = Histogram(
    "upstream_delay_actual_seconds",
    "Delay a request actually waited, measured around the sleep.",
    buckets=DELAY_BUCKETS,
)
OVERSHOOT = Histogram(
    "upstream_delay_overshoot_seconds",
    "Actual minus configured delay: how late the event loop woke the request.",
    buckets=OVERSHOOT_BUCKETS,
)
FAULTS_INJECTED = Counter(
    "upstream_faults_injected", "Faults the upstream injected, by kind.", ["fault"]
)

OUTCOME = {name: REQUESTS.labels(name) for name in OUTCOMES}
FAULT = {name: FAULTS_INJECTED.labels(name) for name in FAULTS}
