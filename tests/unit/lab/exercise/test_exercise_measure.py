"""Reading a server's /metrics: threads per worker, requests in flight, event-loop lag."""

from lab.exercise.measure import (
    client_values,
    in_flight,
    lag_buckets,
    lag_p99_bound_ms,
    threads_by_pid,
)
from loadgen.closedloop import ClosedResult
from loadgen.openmodel import Result

METRICS = """\
# TYPE lab_process_threads gauge
lab_process_threads{pid="101",server="asgi"} 9.0
lab_process_threads{pid="102",server="asgi"} 14.0
# TYPE lab_http_requests_in_flight gauge
lab_http_requests_in_flight{method="GET",route="io_async",server="asgi"} 7.0
lab_http_requests_in_flight{method="GET",route="ping",server="asgi"} 1.0
lab_http_requests_in_flight{method="GET",route="metrics",server="asgi"} 1.0
# TYPE lab_event_loop_lag_seconds histogram
lab_event_loop_lag_seconds_bucket{le="0.001",server="asgi"} 10.0
lab_event_loop_lag_seconds_bucket{le="0.01",server="asgi"} 20.0
lab_event_loop_lag_seconds_bucket{le="0.5",server="asgi"} 30.0
lab_event_loop_lag_seconds_bucket{le="+Inf",server="asgi"} 30.0
lab_event_loop_lag_seconds_count{server="asgi"} 30.0
lab_event_loop_lag_seconds_sum{server="asgi"} 1.0
"""


def test_threads_are_read_per_worker_process() -> None:
    assert threads_by_pid(METRICS) == {"101": 9, "102": 14}


def test_in_flight_leaves_the_scrape_out() -> None:
    assert in_flight(METRICS) == 8


def test_loop_lag_p99_is_the_bucket_bound_of_the_phase_alone() -> None:
    after = lag_buckets(METRICS)
    # Before the phase: 10 probes, all fast. During it: 10 under 10 ms, 10 up to 500 ms.
    before = {0.001: 10.0, 0.01: 10.0, 0.5: 10.0, float("inf"): 10.0}
    assert lag_p99_bound_ms(before, after) == 500.0
    fast_phase = {0.001: 0.0, 0.01: 10.0, 0.5: 20.0, float("inf"): 20.0}
    assert lag_p99_bound_ms(fast_phase, after) == 1.0


def test_no_loop_lag_without_probes() -> None:
    assert lag_p99_bound_ms({}, {}) is None
    assert lag_p99_bound_ms(lag_buckets(METRICS), lag_buckets(METRICS)) is None


def test_failed_requests_are_counted_in_all_and_for_the_bystander_alone() -> None:
    main = ClosedResult("http://x/io", users=2, duration_s=1.0)
    main.record(1.0, "http 504", in_window=True)
    main.record(1.0, "http 504", in_window=True)
    probe = Result(url="http://x/ping", requested_rate=4, duration_s=1, planned=4)
    probe.record_response(intended=0.0, started=0.0, done=0.01)
    probe.record_response(intended=0.0, started=0.0, done=2.0, error="timeout")
    values = client_values(main, probe)
    assert (values["errors"], values["probe_errors"]) == (3, 1)
    assert "p50" not in values  # nothing answered
    assert client_values(main, None)["probe_errors"] == 0


def test_the_tail_amplification_is_p99_over_p50() -> None:
    main = ClosedResult("http://x/io", users=1, duration_s=1.0)
    for _ in range(98):
        main.record(0.100, None, in_window=True)
    main.record(0.400, None, in_window=True)
    main.record(0.400, None, in_window=True)
    values = client_values(main, None)
    assert abs(values["p99/p50"] - values["p99"] / values["p50"]) < 1e-9
    assert 3.9 < values["p99/p50"] < 4.1
    assert "p99/p50" not in client_values(ClosedResult("http://x/io", 1, 1.0), None)
