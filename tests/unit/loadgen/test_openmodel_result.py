import json

from loadgen.openmodel.latency import Latency
from loadgen.openmodel.result import Result
from loadgen.openmodel.saturation import warnings


def test_latency_keeps_sub_millisecond_precision() -> None:
    h = Latency()
    for ms in (1.234, 1.234, 1.234, 250.0):
        h.record(ms / 1000)
    s = h.summary_ms()
    assert abs(s["p50"] - 1.234) < 0.002  # Locust would store 1 ms
    assert abs(s["max"] - 250.0) < 0.3
    assert abs(s["mean"] - (3 * 1.234 + 250) / 4) < 0.1


def test_a_saturated_generator_is_called_out() -> None:
    found = warnings(
        cpu_cores=0.95, requested_rate=200, achieved_rate=150, sent=1000, late_starts=300, dropped=3
    )
    text = "\n".join(found)
    for phrase in ("CPU at 95%", "requested 200.0 req/s but started 150.0", "3 requests dropped"):
        assert phrase in text
    assert "300 of 1000 requests started more than" in text


def test_a_healthy_run_has_no_warnings() -> None:
    assert (
        warnings(
            cpu_cores=0.3,
            requested_rate=200,
            achieved_rate=199,
            sent=1000,
            late_starts=2,
            dropped=0,
        )
        == []
    )


def test_report_and_json_show_intended_and_actual_timings() -> None:
    r = Result(url="http://127.0.0.1:9/x", requested_rate=100, duration_s=1, planned=100)
    for lag in (0.0, 0.02):
        r.record_start(lag)
    r.ok = 2
    r.latency.record(0.050)
    r.service_time.record(0.030)
    r.send_span_s = 1.0
    data = json.loads(json.dumps(r.as_dict()))
    assert data["late_starts"] == 1
    assert data["achieved_rate"] == 2.0
    assert data["latency_ms"]["p50"] > data["service_time_ms"]["p50"]
    assert any("requested 100.0 req/s" in w for w in data["warnings"])
    text = r.report()
    assert "from the intended start" in text
    assert "WARNING: requested 100.0 req/s" in text


def test_failures_keep_their_latency_from_the_intended_start() -> None:
    r = Result(url="http://127.0.0.1:9/x", requested_rate=10, duration_s=1, planned=3)
    r.record_response(intended=0.0, started=0.0, done=0.020)
    r.record_response(intended=0.0, started=0.001, done=0.025)
    r.record_response(intended=0.0, started=0.0, done=2.0, error="timeout")
    data = r.as_dict()
    assert r.ok == 2
    assert data["errors"] == {"timeout": 1}
    assert data["latency_ms"]["max"] < 30  # successes only: the timeout is not here...
    assert abs(data["failed_latency_ms"]["p50"] - 2000) < 2  # ...but here
    assert abs(data["all_latency_ms"]["max"] - 2000) < 2  # and in the tail of everything
    assert abs(data["service_time_ms"]["max"] - 24) < 0.1
    text = r.report()
    assert "    failed     mean  2000" in text
    assert "    all        mean" in text


def test_behind_schedule_is_the_clock_alone_not_cpu_nor_drops() -> None:
    r = Result(url="http://127.0.0.1:9/x", requested_rate=100, duration_s=1, planned=100)
    for lag in [0.0] * 50 + [0.05] * 10:  # 60 sent in a second of 100 asked, 10 late
        r.record_start(lag)
    r.send_span_s, r.cpu_cores, r.dropped = 1.0, 0.2, 4
    late, slow = sorted(r.behind_schedule())
    assert late.startswith("10 of 60 requests started more than 10 ms")
    assert slow.startswith("requested 100.0 req/s but started 60.0")
    assert len(r.warnings()) == 3  # and the drops, which are the server's doing

    on_time = Result(url="http://127.0.0.1:9/x", requested_rate=4, duration_s=1, planned=4)
    for _ in range(4):
        on_time.record_start(0.001)
    on_time.send_span_s = 1.0
    assert on_time.behind_schedule() == []
