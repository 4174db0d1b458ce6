"""What a closed-loop run counts: throughput is the successes finished within the duration."""

from loadgen.closedloop import ClosedResult


def test_throughput_counts_successes_within_the_window() -> None:
    r = ClosedResult("http://x/", users=2, duration_s=2.0)
    r.record(0.2, None, in_window=True)
    r.record(0.2, None, in_window=True)
    r.record(0.3, None, in_window=False)  # finished after the end: latency only
    r.record(0.1, "HTTP 500", in_window=True)
    assert r.throughput == 1.0
    assert r.ok == 3
    assert r.errors == {"HTTP 500": 1}
    assert r.latency.count == 3
    assert r.all_latency.count == 4
    d = r.as_dict()
    assert d["throughput_rps"] == 1.0
    assert 200.0 <= d["latency_ms"]["p50"] <= 200.2  # HdrHistogram: within 0.1 %
