"""Reading a server's /metrics: threads per worker, requests in flight, event-loop lag,
requests answered; and /proc: memory and CPU time of the workers."""

import os
from pathlib import Path

from lab.exercise.measure import (
    ServerWatch,
    answered,
    client_values,
    in_flight,
    lag_buckets,
    lag_p99_bound_ms,
    proc_stat,
    threads_by_pid,
    upstream_calls,
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
# TYPE lab_http_requests_total counter
lab_http_requests_total{method="GET",route="io_async",server="asgi",status="200"} 40.0
lab_http_requests_total{method="GET",route="io_async",server="asgi",status="499"} 2.0
lab_http_requests_total{method="GET",route="metrics",server="asgi",status="200"} 5.0
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


def test_answered_requests_leave_the_scrapes_out() -> None:
    assert answered(METRICS) == 42


def test_upstream_calls_count_every_outcome() -> None:
    text = """\
# TYPE upstream_requests counter
upstream_requests_total{outcome="ok"} 30.0
upstream_requests_total{outcome="client_gone"} 4.0
upstream_requests_created{outcome="ok"} 1.7e9
"""
    assert upstream_calls(text) == 34


def test_proc_stat_reads_this_process() -> None:
    stat = proc_stat(os.getpid())
    assert stat is not None
    assert stat.rss_kb > 1000  # a Python interpreter with pytest loaded
    assert stat.cpu_s > 0


def test_proc_stat_of_a_process_that_is_gone_is_none(tmp_path: Path) -> None:
    assert proc_stat(12345, proc=str(tmp_path)) is None


def test_proc_stat_reads_past_a_command_name_with_spaces(tmp_path: Path) -> None:
    (tmp_path / "7").mkdir()
    # pid (comm) state, then fields 4..; utime and stime are fields 14 and 15.
    rest = ["S"] + ["0"] * 10 + ["250", "150"] + ["0"] * 30
    (tmp_path / "7" / "stat").write_text("7 (gunicorn: worker) [a]) " + " ".join(rest) + "\n")
    (tmp_path / "7" / "status").write_text("Name:\tgunicorn\nVmRSS:\t  51200 kB\n")
    stat = proc_stat(7, proc=str(tmp_path))
    assert stat is not None
    assert stat.rss_kb == 51200
    assert abs(stat.cpu_s - 400 / os.sysconf("SC_CLK_TCK")) < 1e-9


def test_server_side_quantities_per_request() -> None:
    before = METRICS.replace("} 40.0", "} 10.0").replace("} 2.0", "} 0.0")
    watch = ServerWatch(
        "http://x/metrics",
        threads_max=23,
        in_flight_max=10,
        rss_kb_max=60_000,
        idle_threads=3,
        idle_rss_kb=50_000,
        first=before,
        last=METRICS,
        cpu_first={101: 1.0, 102: 2.0, 103: 9.0},
        cpu_last={101: 1.4, 102: 2.2},  # 103 is gone: only workers seen at both ends count
        upstream_first='upstream_requests_total{outcome="ok"} 10.0\n',
        upstream_last='upstream_requests_total{outcome="ok"} 70.0\n',
    )
    values = watch.values(answered_by_clients=30)
    assert abs(values["cpu_ms_per_request"] - 600 / 32) < 1e-9  # 0.6 CPU s, 32 answered
    assert values["threads_per_in_flight"] == 2.0
    assert values["rss_kb_per_in_flight"] == 1000.0
    assert values["rss_mb"] == 60_000 / 1024
    assert values["upstream_calls_per_answer"] == 2.0
    assert (values["threads"], values["in_flight"]) == (23, 10)


def test_nothing_in_flight_gives_no_per_request_figures() -> None:
    values = ServerWatch("http://x/metrics", idle_threads=3, idle_rss_kb=1).values(0)
    assert "threads_per_in_flight" not in values
    assert "cpu_ms_per_request" not in values
    assert "upstream_calls_per_answer" not in values
