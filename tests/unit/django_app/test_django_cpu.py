"""CPU calibration: burn(ms) costs about ms of CPU time."""

import time

from django_app.cpu import burn, iterations_per_ms, spin


def test_calibration_is_measured_once_per_process() -> None:
    assert iterations_per_ms() is iterations_per_ms()
    assert iterations_per_ms() > 100  # any interpreter spins far faster than this


def test_burn_costs_about_the_asked_cpu_time() -> None:
    burn(5)  # warm up
    started = time.thread_time()
    burn(50)
    spent_ms = (time.thread_time() - started) * 1000
    # Generous: shared, noisy cores; the point is "about 50", not "exactly 50".
    assert 25 <= spent_ms <= 150, spent_ms


def test_zero_is_no_work() -> None:
    assert burn(0) == spin(0) == 0
