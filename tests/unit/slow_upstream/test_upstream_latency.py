"""Delay distributions: right centre and spread, repeatable with a seed, never negative."""

import random
import statistics

import pytest

from slow_upstream.knobs import DISTRIBUTIONS
from slow_upstream.latency import sample_delay_ms

N = 20_000


def draws(distribution: str, delay: float, jitter: float, seed: int = 1) -> list[float]:
    rng = random.Random(seed)
    return [sample_delay_ms(distribution, delay, jitter, rng, 60_000.0) for _ in range(N)]


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_no_jitter_is_a_fixed_delay(distribution: str) -> None:
    assert set(draws(distribution, 123.0, 0.0)[:100]) == {123.0}


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_a_seed_repeats_the_sequence(distribution: str) -> None:
    assert draws(distribution, 100.0, 30.0, seed=7)[:50] == draws(distribution, 100.0, 30.0, 7)[:50]
    assert draws(distribution, 100.0, 30.0, seed=7)[:50] != draws(distribution, 100.0, 30.0, 8)[:50]


def test_uniform_stays_within_jitter() -> None:
    values = draws("uniform", 200.0, 50.0)
    assert 150.0 <= min(values) < 155.0
    assert 245.0 < max(values) <= 250.0
    assert statistics.fmean(values) == pytest.approx(200.0, rel=0.01)


def test_normal_has_jitter_as_standard_deviation() -> None:
    values = draws("normal", 200.0, 20.0)
    assert statistics.fmean(values) == pytest.approx(200.0, rel=0.01)
    assert statistics.stdev(values) == pytest.approx(20.0, rel=0.05)


def test_lognormal_median_is_delay_and_84th_percentile_is_delay_plus_jitter() -> None:
    values = sorted(draws("lognormal", 100.0, 50.0))
    assert values[N // 2] == pytest.approx(100.0, rel=0.03)
    assert values[int(N * 0.8413)] == pytest.approx(150.0, rel=0.04)
    assert statistics.fmean(values) > values[N // 2]  # a right tail


def test_exponential_is_a_floor_plus_a_tail() -> None:
    values = draws("exponential", 100.0, 40.0)
    assert min(values) >= 100.0
    assert statistics.fmean(values) == pytest.approx(140.0, rel=0.03)


def test_tails_are_clipped_to_zero_and_the_cap() -> None:
    rng = random.Random(3)
    values = [sample_delay_ms("normal", 10.0, 500.0, rng, 300.0) for _ in range(2_000)]
    assert min(values) == 0.0
    assert max(values) == 300.0
