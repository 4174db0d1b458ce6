"""The knee finder on synthetic curves with a known knee: a worker limit (the bound stops
growing, p99 shows the queue), a CPU limit (throughput falls under the bound), and noisy
curves, where one stray point must not be taken for the knee."""

import math
import random

import pytest

from lab.exercise.knee import Criteria, confirmed, first_past, reasons

D_MS = 200.0
USERS = (1, 2, 4, 8, 16, 32, 64, 128)
SWEEP = Criteria(below=0.8, p99_over=2.0, confirm=1)


def flags(
    throughput: list[float], bound: list[float], p99_ms: list[float], criteria: Criteria
) -> list[bool | None]:
    out: list[bool | None] = []
    for x, b, p99 in zip(throughput, bound, p99_ms, strict=True):
        why = reasons(x / b, p99, D_MS, criteria)
        out.append(None if why is None else bool(why))
    return out


def worker_limited(n: int) -> tuple[list[float], list[float], list[float]]:
    """N slots in front of a wait of D: min(C, N)÷D, and a user waits ⌈C÷N⌉ rounds."""
    bound = [min(c, n) / (D_MS / 1000) for c in USERS]
    p99 = [math.ceil(c / n) * D_MS + 4.0 for c in USERS]
    return bound, bound, p99


def cpu_limited(capacity: float) -> tuple[list[float], list[float], list[float]]:
    """No slot limit, but at most `capacity` requests a second: the CPU."""
    bound = [c / (D_MS / 1000) for c in USERS]
    throughput = [min(b, capacity) for b in bound]
    p99 = [max(D_MS, c / capacity * 1000) + 4.0 for c in USERS]
    return throughput, bound, p99


@pytest.mark.parametrize(("n", "knee_users"), [(1, 2), (2, 4), (4, 8), (16, 32)])
def test_a_worker_limit_is_found_by_the_queue_in_p99(n: int, knee_users: int) -> None:
    throughput, bound, p99 = worker_limited(n)
    found = first_past(flags(throughput, bound, p99, SWEEP), SWEEP.confirm)
    assert found is not None
    assert USERS[found] == knee_users  # the first concurrency above N
    # The ratio alone never sees it: the bound min(C, N)÷D stops growing with the throughput.
    assert first_past(flags(throughput, bound, p99, Criteria(below=0.8))) is None


@pytest.mark.parametrize(("capacity", "knee_users"), [(30.0, 8), (100.0, 32), (400.0, 128)])
def test_a_cpu_limit_is_found_by_the_ratio(capacity: float, knee_users: int) -> None:
    throughput, bound, p99 = cpu_limited(capacity)
    found = first_past(flags(throughput, bound, p99, Criteria(below=0.8)))
    assert found is not None
    assert USERS[found] == knee_users
    # The first point where throughput < 0.8 × C÷D: C÷D > capacity ÷ 0.8.
    assert USERS[found] / (D_MS / 1000) > capacity / 0.8 >= USERS[found - 1] / (D_MS / 1000)


def test_a_curve_that_follows_its_bound_has_no_knee() -> None:
    throughput, bound, p99 = cpu_limited(1e9)
    assert first_past(flags(throughput, bound, p99, SWEEP), 1) is None


@pytest.mark.parametrize("seed", range(40))
def test_noise_moves_no_knee(seed: int) -> None:
    """±5 % noise on every figure and one stray point before the knee (a dip a shared
    machine can cause): with one later point asked to agree, the knee stays where it is."""
    rng = random.Random(seed)
    throughput, bound, p99 = cpu_limited(100.0)  # knee at C=32
    noisy = [x * rng.gauss(1.0, 0.05) for x in throughput]
    p99 = [p * rng.gauss(1.0, 0.05) for p in p99]
    stray = rng.randrange(0, USERS.index(32) - 1)  # at most two points before the knee
    noisy[stray] *= 0.6
    found = first_past(flags(noisy, bound, p99, SWEEP), SWEEP.confirm)
    assert found is not None
    assert USERS[found] == 32
    # Without the confirmation, the stray point would have been named.
    assert first_past(flags(noisy, bound, p99, Criteria(below=0.8, p99_over=2.0))) == stray


def test_points_not_measured_neither_count_nor_break_the_run() -> None:
    assert first_past([False, True, None, True], confirm=1) == 1
    assert first_past([False, True, None, False, True], confirm=1) == 4  # the end agrees
    assert first_past([None, None]) is None


def test_a_knee_is_confirmed_once_enough_points_past_it_are_measured() -> None:
    assert not confirmed([False, True], confirm=1)  # the next point may still disagree
    assert confirmed([False, True, True], confirm=1)
    assert not confirmed([False, True, False], confirm=1)
    assert confirmed([True], confirm=0)


def test_reasons_name_each_criterion_crossed() -> None:
    criteria = Criteria(below=0.8, p99_over=2.0)
    assert reasons(1.0, 210.0, D_MS, criteria) == []
    assert reasons(None, 210.0, D_MS, criteria) is None
    (why,) = reasons(0.5, 210.0, D_MS, criteria) or []
    assert why == "throughput 0.50 of its bound (< 0.80)"
    both = reasons(0.5, 900.0, D_MS, criteria) or []
    assert both[1] == "p99 900 ms > 2 × 200 ms: requests queue"
