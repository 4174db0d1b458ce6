"""The apparatus checks: CPU stolen, the generator saturated, the upstream late, the machine
busy with other work."""

import pytest

from lab.exercise.apparatus import (
    Apparatus,
    other_cores,
    overshoot_p99_ms,
    steal_fraction,
)
from lab.machine_cpu import CpuTicks


def test_steal_is_the_share_of_the_window_the_hypervisor_took() -> None:
    before, after = CpuTicks(900, 1000, 40), CpuTicks(1500, 2000, 240)
    assert steal_fraction(before, after) == 0.2
    assert steal_fraction(after, after) is None
    assert steal_fraction(None, after) is None


def overshoot(counts: list[float]) -> str:
    bounds = ["0.001", "0.01", "0.05", "+Inf"]
    return "".join(
        f'upstream_delay_overshoot_seconds_bucket{{le="{le}"}} {n}\n'
        for le, n in zip(bounds, counts, strict=True)
    )


def test_upstream_overshoot_p99_is_of_the_window_alone() -> None:
    before = overshoot([100, 100, 100, 100])
    # In the window: 50 calls, 40 on time (≤ 1 ms), 10 up to 50 ms late.
    after = overshoot([140, 140, 150, 150])
    assert overshoot_p99_ms(before, after) == 50.0
    assert overshoot_p99_ms(before, before) is None
    assert overshoot_p99_ms(None, after) is None


def test_only_bent_apparatus_warns() -> None:
    assert Apparatus(0.01, 0.3, 2.0).warnings() == []
    assert Apparatus(None, None, None).warnings() == []
    stolen, saturated, late = Apparatus(0.25, 0.97, 50.0).warnings()
    assert stolen.startswith("CPU stolen by the hypervisor: 25%")
    assert saturated.startswith("load generator saturated: 0.97 of a core")
    assert late.startswith("upstream late: p99 ≤ 50 ms")
    assert Apparatus(0.25, None, None).as_dict()["warnings"] == [stolen]


def test_other_work_is_the_machines_busy_cores_less_the_labs_own() -> None:
    shares = {"machine_cpu": 1.9, "server_cpu": 0.6, "upstream_cpu": 0.1, "generator_cpu": 0.2}
    assert other_cores(shares) == pytest.approx(1.0)
    assert other_cores({"machine_cpu": 0.5, "server_cpu": 0.7}) == 0.0  # never below 0
    assert other_cores({"server_cpu": 0.7}) is None


def test_a_machine_busy_with_other_work_warns_and_a_quiet_one_does_not() -> None:
    (busy,) = Apparatus(None, None, None, other_cores=1.2).warnings()
    assert busy.startswith("machine busy with other work: 1.20 cores")
    assert Apparatus(None, None, None, other_cores=0.3).warnings() == []


def test_a_generator_behind_its_clock_warns_whatever_its_cpu_share() -> None:
    said = ("probe: 12 of 16 requests started more than 10 ms after their intended time",)
    (behind,) = Apparatus(None, 0.2, None, generator_behind=said).warnings()
    assert behind == f"load generator behind its schedule: {said[0]}"
    assert Apparatus(None, 0.2, None).as_dict()["generator_behind"] == ()
