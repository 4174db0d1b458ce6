"""Reading a server's /metrics: threads per worker, requests in flight, event-loop lag,
requests answered; and /proc: memory, CPU time and blocked threads of the workers, and the
machine's CPU. (Database connections: test_exercise_db_connections.py.)"""

import asyncio
import os
import queue
import socket
import threading
import time
from pathlib import Path

import aiohttp
import pytest

from lab.exercise.measure import (
    Clocks,
    ServerWatch,
    answered,
    blocked_threads,
    client_values,
    in_flight,
    lag_buckets,
    lag_p99_bound_ms,
    machine_busy_s,
    proc_stat,
    process_cpu,
    threads_by_pid,
    upstream_abandoned,
    upstream_calls,
)
from loadgen.closedloop import ClosedResult
from loadgen.idle import IdleResult
from loadgen.openmodel import Result

METRICS = """\
# TYPE lab_process_threads gauge
lab_process_threads{pid="101",server="asgi"} 9.0
lab_process_threads{pid="102",server="asgi"} 14.0
# TYPE lab_http_requests_in_flight gauge
lab_http_requests_in_flight{method="GET",route="io_async",server="asgi"} 7.0
lab_http_requests_in_flight{method="GET",route="ping",server="asgi"} 1.0
lab_http_requests_in_flight{method="GET",route="metrics",server="asgi"} 1.0
# TYPE lab_http_request_duration_seconds histogram
lab_http_request_duration_seconds_count{route="io_async",server="asgi",status="200"} 40.0
lab_http_request_duration_seconds_sum{route="io_async",server="asgi",status="200"} 8.0
lab_http_request_duration_seconds_count{route="io_async",server="asgi",status="499"} 2.0
lab_http_request_duration_seconds_sum{route="io_async",server="asgi",status="499"} 0.4
lab_http_request_duration_seconds_count{route="metrics",server="asgi",status="200"} 5.0
lab_http_request_duration_seconds_sum{route="metrics",server="asgi",status="200"} 0.01
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
    assert (values["errors"], values["probe_errors"], values["timeouts"]) == (3, 1, 0)
    assert "p50" not in values  # nothing answered
    assert client_values(main, None)["probe_errors"] == 0


def test_beside_slow_clients_only_the_bystander_is_measured() -> None:
    main = IdleResult("http://x/ping", connections=2, duration_s=1.0, trickle=False)
    probe = Result(url="http://x/ping", requested_rate=4, duration_s=1, planned=2)
    probe.record_response(intended=0.0, started=0.0, done=0.002)
    probe.record_response(intended=0.0, started=0.0, done=3.0)  # waited behind them
    values = client_values(main, probe)
    assert set(values) == {"errors", "probe_errors", "timeouts", "probe_p50", "probe_p99"}
    assert values["probe_p99"] > 2900
    assert values["errors"] == 0
    main.errors["connect: ConnectionRefusedError"] += 1  # a slow client that could not connect
    assert client_values(main, probe)["errors"] == 1


def test_the_main_loads_own_timeouts_are_counted_apart() -> None:
    main = ClosedResult("http://x/io", users=2, duration_s=1.0)
    main.record(0.3, "timeout", in_window=True)
    main.record(0.3, "timeout", in_window=True)
    main.record(0.1, "HTTP 502", in_window=True)
    probe = Result(url="http://x/ping", requested_rate=4, duration_s=1, planned=4)
    probe.record_response(intended=0.0, started=0.0, done=30.0, error="timeout")
    values = client_values(main, probe)
    assert (values["errors"], values["timeouts"]) == (4, 2)


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


def test_the_bystanders_wait_is_counted_in_main_requests() -> None:
    main = ClosedResult("http://x/cpu", users=1, duration_s=1.0)
    main.record(0.450, None, in_window=True)  # a CPU request, faster than its nominal P
    probe = Result(url="http://x/ping", requested_rate=4, duration_s=1, planned=2)
    probe.record_response(intended=0.0, started=0.0, done=0.420, error=None)
    probe.record_response(intended=0.25, started=0.25, done=0.26, error=None)
    values = client_values(main, probe)
    assert abs(values["probe_p99/p50"] - values["probe_p99"] / values["p50"]) < 1e-9
    assert 0.9 < values["probe_p99/p50"] < 0.95  # it waited for most of one request
    assert "probe_p99/p50" not in client_values(main, None)
    assert "probe_p99/p50" not in client_values(ClosedResult("http://x/cpu", 1, 1.0), probe)


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


def test_abandoned_upstream_calls_are_their_own_counter() -> None:
    text = """\
# TYPE upstream_requests counter
upstream_requests_total{outcome="ok"} 30.0
# TYPE upstream_requests_abandoned counter
upstream_requests_abandoned_total 12.0
upstream_requests_abandoned_created 1.7e9
"""
    assert (upstream_calls(text), upstream_abandoned(text)) == (30, 12)


def upstream_watch(calls: tuple[float, float], abandoned: tuple[float, float]) -> ServerWatch:
    def text(n: float, left: float) -> str:
        return (
            f'upstream_requests_total{{outcome="ok"}} {n}\n'
            f"upstream_requests_abandoned_total {left}\n"
        )

    return ServerWatch(
        "http://x/metrics",
        upstream_first=text(calls[0], abandoned[0]),
        upstream_last=text(calls[1], abandoned[1]),
    )


def test_answers_per_upstream_answer_leaves_out_the_calls_hung_up_on() -> None:
    # 40 calls in the window, 30 of them hung up on: 10 upstream answers found their caller.
    hung_up = upstream_watch(calls=(10, 50), abandoned=(2, 32)).values(answered_by_clients=10)
    assert hung_up["answers_per_upstream_answer"] == 1.0
    assert hung_up["upstream_calls_per_answer"] == 4.0


def test_answers_per_upstream_answer_is_finite_when_nothing_is_answered() -> None:
    # Every call waited out, none answered: the server worked for clients that had gone.
    waited = upstream_watch(calls=(10, 50), abandoned=(0, 0)).values(answered_by_clients=0)
    assert waited["answers_per_upstream_answer"] == 0.0
    assert "upstream_calls_per_answer" not in waited
    everything_hung_up = upstream_watch(calls=(10, 50), abandoned=(0, 40))
    assert "answers_per_upstream_answer" not in everything_hung_up.values(0)


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


def _asleep(threads: list[threading.Thread]) -> bool:
    """Whether the kernel names a wait for each of these threads, within a few seconds."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        chans = [Path(f"/proc/self/task/{t.native_id}/wchan").read_text() for t in threads]
        if all(c.strip() not in ("", "0") for c in chans):
            return True
        time.sleep(0.02)
    return False


def test_threads_asleep_on_io_are_blocked_and_threads_waiting_for_work_are_not() -> None:
    work: queue.SimpleQueue[None] = queue.SimpleQueue()
    left, right = socket.socketpair()
    reading = [threading.Thread(target=left.recv, args=(1,)) for _ in range(2)]  # in I/O
    waiting = [threading.Thread(target=work.get) for _ in range(3)]  # an idle pool's threads
    me = [os.getpid()]
    try:
        reading[0].start()
        if not _asleep(reading[:1]):
            pytest.skip("this kernel names no thread's wait channel")
        before = blocked_threads(me)
        assert before is not None
        assert before >= 1
        for t in waiting:
            t.start()
        assert _asleep(waiting)
        assert blocked_threads(me) == before  # waiting on a futex: idle, not blocked
        reading[1].start()
        assert _asleep(reading)
        assert blocked_threads(me) == before + 1
    finally:
        for _ in waiting:
            work.put(None)
        right.send(b"xx")
        right.close()
        for t in (*waiting, *reading):
            if t.ident is not None:  # started
                t.join(5)
        left.close()


def test_the_machines_busy_time_is_all_cores_but_idle_and_iowait(tmp_path: Path) -> None:
    # cpu  user nice system idle iowait irq softirq steal
    (tmp_path / "stat").write_text("cpu  100 20 30 5000 70 4 6 0 0 0\ncpu0 1 2 3 4 5 6 7 8\n")
    assert machine_busy_s(str(tmp_path)) == 160 / os.sysconf("SC_CLK_TCK")
    assert machine_busy_s(str(tmp_path / "gone")) is None
    busy = machine_busy_s()
    assert busy is not None
    assert busy > 0


def test_a_services_own_cpu_comes_from_its_process_collector() -> None:
    text = "# TYPE process_cpu_seconds counter\nprocess_cpu_seconds_total 12.5\n"
    assert process_cpu(text) == 12.5
    assert process_cpu(METRICS) is None


def test_cpu_shares_are_seconds_of_cpu_per_second_of_the_window() -> None:
    watch = ServerWatch(
        "http://x/metrics",
        cpu_first={101: 1.0},
        cpu_last={101: 2.5},
        clock_first=Clocks(wall=100.0, own_cpu=10.0, machine_busy=1000.0),
        clock_last=Clocks(wall=105.0, own_cpu=11.0, machine_busy=1009.0),
        upstream_first="process_cpu_seconds_total 3.0\n",
        upstream_last="process_cpu_seconds_total 4.0\n",
        upstream_clock=[99.0, 109.0],
    )
    assert watch.cpu_shares() == pytest.approx(
        {"server_cpu": 0.3, "generator_cpu": 0.2, "machine_cpu": 1.8, "upstream_cpu": 0.1}
    )
    assert ServerWatch("http://x/metrics").cpu_shares() == {}


def test_database_connections_and_blocked_threads_are_per_request_in_flight() -> None:
    watch = ServerWatch(
        "http://x/metrics",
        db_connections_max=18,
        in_flight_max=20,
        idle_blocked=1,
        blocked_max=21,
    )
    values = watch.values(answered_by_clients=0)
    assert values["db_connections"] == 18
    assert values["blocked_threads_per_in_flight"] == 1.0
    unknown = ServerWatch("http://x/metrics", in_flight_max=20, idle_blocked=None, blocked_max=3)
    assert "db_connections" not in unknown.values(0)  # never counted
    assert "blocked_threads_per_in_flight" not in unknown.values(0)


class FlakySession:
    """Stands in for aiohttp's session: refuses `failures` times, then answers `text`."""

    def __init__(self, failures: int, text: str) -> None:
        self.failures, self.body, self.asked = failures, text, 0

    def get(self, url: str) -> "FlakySession":
        self.asked += 1
        if self.asked <= self.failures:
            raise aiohttp.ClientConnectionError("not yet")
        return self

    async def __aenter__(self) -> "FlakySession":
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def text(self) -> str:  # the response's, as aiohttp's
        return self.body


def test_the_idle_baseline_is_tried_again_when_the_first_scrape_fails() -> None:
    metrics = f'lab_process_threads{{pid="{os.getpid()}"}} 7\n'
    session = FlakySession(failures=2, text=metrics)
    watch = ServerWatch("http://x/metrics")
    asyncio.run(watch.idle(session, tries=3))  # type: ignore[arg-type]
    assert session.asked == 3
    assert watch.idle_threads == 7

    never = FlakySession(failures=5, text=metrics)
    unmeasured = ServerWatch("http://x/metrics")
    asyncio.run(unmeasured.idle(never, tries=3))  # type: ignore[arg-type]
    assert never.asked == 3
    assert unmeasured.idle_threads is None
