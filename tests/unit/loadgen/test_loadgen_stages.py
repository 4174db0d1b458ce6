from collections.abc import Callable

from loadgen.stages import Tick, ramp, spike, steps


def users(shape: Callable[[float, int, float], Tick], t: float) -> int:
    tick = shape(t, 50, 100.0)
    assert tick is not None
    return int(tick[0])


def test_steps_climb_in_five_equal_stairs_then_stop() -> None:
    assert [users(steps, t) for t in (0, 19.9, 20, 45, 99.9)] == [10, 10, 20, 30, 50]
    assert steps(100.0, 50, 100.0) is None


def test_ramp_climbs_linearly_then_holds() -> None:
    assert [users(ramp, t) for t in (0, 40, 80, 95)] == [1, 25, 50, 50]
    assert ramp(100.0, 50, 100.0) is None


def test_spike_is_the_peak_only_in_the_middle_fifth() -> None:
    assert [users(spike, t) for t in (10, 39.9, 40, 59.9, 60, 90)] == [10, 10, 50, 50, 10, 10]
    assert spike(100.0, 50, 100.0) is None
