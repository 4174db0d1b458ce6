"""The closed-loop generator against the real upstream: N users at a time, so Little's law
gives its throughput (N ÷ latency), and every request waits at least the upstream's delay."""

import asyncio

import pytest
from loadgen_lab import Lab

from loadgen.closedloop import run

pytestmark = pytest.mark.integration


def test_n_users_get_n_over_latency(lab: Lab) -> None:
    result = run(lab.upstream + "/slow?delay_ms=50", users=5, duration_s=2)

    assert result.errors == {}
    p50 = result.latency.summary_ms()["p50"]
    assert 50 <= p50 < 150, result.as_dict()
    # Little's law: 5 users ÷ ~50 ms = ~100 req/s; never more, and well above one user's 20.
    assert 40 <= result.throughput <= 5 / 0.050 * 1.02, result.as_dict()
    assert result.ok >= result.ok_in_window >= result.ok - 5


def test_a_refused_connection_is_an_error_not_a_hang() -> None:
    from lab.runner import free_port

    result = run(f"http://127.0.0.1:{free_port()}/", users=2, duration_s=0.3, timeout_s=1)
    assert result.ok == 0
    assert sum(result.errors.values()) >= 2
    assert result.throughput == 0


def test_run_until_stops_after_enough_answers_and_sums_the_users_rates(lab: Lab) -> None:
    from loadgen.closedloop import run_until_async

    url = lab.upstream + "/slow?delay_ms=50"
    result = asyncio.run(run_until_async(url, 4, min_requests=20, max_s=10.0))

    assert not result.capped
    assert result.errors == {}
    assert result.ok >= 20
    assert all(n >= 3 for n, _ in result.user_spans)  # every user answered three times
    # 20 answers of 4 users at ~50 ms each take about 5 rounds: far less than the cap.
    assert result.duration_s < 2.0, result.as_dict()
    # Little's law: 4 users ÷ ~50 ms = ~80 req/s; never more.
    rate = result.throughput_by_users()
    assert rate is not None
    assert 30 <= rate <= 4 / 0.050 * 1.02, result.as_dict()


def test_run_until_is_capped_in_time_and_says_so(lab: Lab) -> None:
    from loadgen.closedloop import run_until_async

    url = lab.upstream + "/slow?delay_ms=200"
    result = asyncio.run(run_until_async(url, 2, min_requests=1000, max_s=0.7))

    assert result.capped
    assert 0.7 <= result.duration_s < 1.0
    assert 4 <= result.ok <= 8  # two users, rounds of 200 ms, the last one waited for


def test_run_until_lasts_its_minimum_time(lab: Lab) -> None:
    from loadgen.closedloop import run_until_async

    url = lab.upstream + "/slow?delay_ms=20"
    result = asyncio.run(run_until_async(url, 2, min_requests=2, max_s=5.0, min_s=0.5))

    assert not result.capped
    assert 0.5 <= result.duration_s < 1.0
    assert result.ok >= 2 * 0.5 / 0.020 * 0.5  # it kept going: about 50 answers, not 6
