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


def test_throughput_by_users_sums_each_users_rate_over_whole_intervals() -> None:
    r = ClosedResult("http://x/", users=2, duration_s=1.0)
    # One user answered 5 times in 0.8 s after its first answer, the other 3 times in 0.4 s.
    r.user_spans = [(5, 0.8), (3, 0.4)]
    assert r.throughput_by_users() == 4 / 0.8 + 2 / 0.4
    r.user_spans = [(5, 0.8), (1, 0.0)]  # one user answered only once: no rate of its own
    assert r.throughput_by_users() is None
    assert ClosedResult("http://x/", users=1, duration_s=1.0).throughput_by_users() is None
