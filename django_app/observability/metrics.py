"""Every metric the Django app exports (docs/metrics.md is the contract).

prometheus_client picks its storage when it is imported: with PROMETHEUS_MULTIPROC_DIR set
(`lab serve` sets it before the server starts) every process writes its own files and
`/metrics` adds them up; without it (tests, a bare `runserver`) the default registry is used.
Gauges say how to combine processes (`multiprocess_mode`).
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

# Latencies the lab produces: sub-millisecond pings up to 30 s upstream waits.
LATENCY_BUCKETS = (
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75,
    1.0, 1.5, 2.0, 3.0, 5.0, 7.5, 10.0, 15.0, 20.0, 30.0, 60.0,
)  # fmt: skip
# A periodic probe wakes ~1 ms late on an idle loop; a blocked loop is late by the block.
LAG_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

# Its `_count` is the lab's request counter: a separate Counter would say the same, for one
# more write to the per-process files on every request.
REQUEST_DURATION = Histogram(
    "lab_http_request_duration_seconds",
    "Request latency seen by the middleware (until the response object exists; a stream's "
    "body is sent after). Its _count counts finished requests.",
    # Routes are URL names and methods a short fixed list, so status is what multiplies the
    # series, and only by the handful of codes each route really answers.
    ["server", "route", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
IN_FLIGHT = Gauge(
    "lab_http_requests_in_flight",
    "Requests being served now, a stream until its last event (no status label).",
    ["server", "route", "method"],
    multiprocess_mode="livesum",
)
UPSTREAM_DURATION = Histogram(
    "lab_upstream_request_duration_seconds",
    "Calls to the slow upstream, from sending to the parsed answer or the error.",
    ["server", "client", "outcome"],
    buckets=LATENCY_BUCKETS,
)
DB_DURATION = Histogram(
    "lab_db_query_duration_seconds",
    "Slow queries (pg_sleep / sqlite sleep), connection set-up included.",
    ["server", "vendor"],
    buckets=LATENCY_BUCKETS,
)
LOOP_LAG = Histogram(
    "lab_event_loop_lag_seconds",
    "How late the event loop wakes a periodic probe (ASGI only).",
    ["server"],
    buckets=LAG_BUCKETS,
)
HUB_LAG = Histogram(
    "lab_gevent_hub_lag_seconds",
    "How late the gevent hub wakes a periodic probe greenlet (gevent workers only).",
    ["server"],
    buckets=LAG_BUCKETS,
)
STREAM_EVENTS = Counter(
    "lab_stream_events",
    "Server-sent events written by /stream/async and /stream/sync.",
    ["server"],
)
STREAM_DISCONNECTS = Counter(
    "lab_stream_disconnects",
    "Streams stopped early because the client went away.",
    ["server"],
)
PROCESS_THREADS = Gauge(
    "lab_process_threads",
    "OS threads of one worker process (multiprocess mode adds a pid label).",
    ["server"],
    multiprocess_mode="liveall",
)
SERVER_INFO = Gauge(
    "lab_server_info",
    "How the server runs (always 1; the labels carry the information).",
    ["server", "implementation", "worker_class", "workers", "threads", "proxy"],
    multiprocess_mode="livemax",
)
SERVER_WORKERS = Gauge(
    "lab_server_workers",
    "Worker processes of the server.",
    ["server"],
    multiprocess_mode="livemax",
)
SERVER_THREADS = Gauge(
    "lab_server_threads_per_worker",
    "Requests one worker serves at once: its threads, or greenlets for gevent (1 for an "
    "event-loop worker).",
    ["server"],
    multiprocess_mode="livemax",
)
SERVER_CONCURRENCY = Gauge(
    "lab_server_concurrency_limit",
    "Requests the server can have in service at once (Little's law: throughput <= this / "
    "latency): workers x threads (greenlets for gevent; at most the upstream pool size a "
    "worker) for WSGI, workers x upstream pool size for ASGI.",
    ["server"],
    multiprocess_mode="livemax",
)
