"""Fault selection: exclusive intervals of one draw, so each fault has exactly its rate."""

import random
from collections import Counter

from slow_upstream.faults import Fault, choose_fault


def test_intervals_follow_the_rates_in_order() -> None:
    assert choose_fault(0.05, 0.1, 0.2, 0.3) is Fault.ERROR
    assert choose_fault(0.10, 0.1, 0.2, 0.3) is Fault.HANG
    assert choose_fault(0.29, 0.1, 0.2, 0.3) is Fault.HANG
    assert choose_fault(0.59, 0.1, 0.2, 0.3) is Fault.RESET
    assert choose_fault(0.61, 0.1, 0.2, 0.3) is Fault.NONE


def test_zero_rates_never_fault_and_full_rate_always_does() -> None:
    rng = random.Random(0)
    assert {choose_fault(rng.random(), 0, 0, 0) for _ in range(1000)} == {Fault.NONE}
    assert {choose_fault(rng.random(), 0, 1, 0) for _ in range(1000)} == {Fault.HANG}


def test_frequencies_match_the_rates() -> None:
    rng = random.Random(42)
    n = 50_000
    counts = Counter(choose_fault(rng.random(), 0.1, 0.05, 0.2) for _ in range(n))
    # Binomial standard deviation is at most sqrt(n/4) ~ 112; allow 5 of them.
    for fault, rate in ((Fault.ERROR, 0.1), (Fault.HANG, 0.05), (Fault.RESET, 0.2)):
        assert abs(counts[fault] - rate * n) < 560
