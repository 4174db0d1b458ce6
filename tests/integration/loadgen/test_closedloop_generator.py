"""The closed-loop generator against the real upstream: N users at a time, so Little's law
gives its throughput (N ÷ latency), and every request waits at least the upstream's delay."""

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
