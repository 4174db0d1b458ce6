"""A knee series: each phase's figure ÷ its bound, the first below the threshold named, and
who spent the CPU there."""

import pytest

from exercises.spec import Exercise, Knee, Load, Phase, Rule
from lab.exercise.knee import result, results


def phase(c: int) -> Phase:
    return Phase(f"c{c}", "pattern", "blocking", "asgi", Load("/io/async", users=c), expected="OK")


LOOP = Exercise(
    "x",
    "question?",
    tuple(phase(c) for c in (5, 20, 80)),
    (Rule("c5", "text", "throughput", ">=", 0.0, "why"),),
    "explanation",
    knees=(Knee("event loop", {"c5": 25.0, "c20": 100.0, "c80": 400.0}),),
)


def measured(*throughputs: float, **cpu: float) -> dict[str, dict[str, float]]:
    return {
        f"c{c}": {"throughput": t, **cpu} for c, t in zip((5, 20, 80), throughputs, strict=True)
    }


def test_the_knee_is_the_first_point_below_the_threshold() -> None:
    (series,) = results(LOOP, measured(24.0, 70.0, 300.0))
    assert [p.ratio for p in series.points] == pytest.approx([0.96, 0.7, 0.75])
    assert series.knee is not None
    assert (series.knee.phase, series.knee.users, series.knee.label) == ("c20", 20, "C=20")
    lines = series.lines(cpu_count=2)
    assert lines[2].startswith("  C=20  70 of 100 = 0.70 ← knee")
    assert "← knee" not in lines[3]  # only the first one below is the knee
    assert lines[-1].startswith("  the knee: C=20 (c20); ")


def test_no_knee_is_said_so_up_to_the_last_concurrency() -> None:
    series = result(LOOP, LOOP.knees[0], measured(24.0, 95.0, 380.0))
    assert series.knee is None
    assert series.lines(cpu_count=2)[-1] == "  no knee up to C=80: every ratio measured is ≥ 0.80"
    assert series.as_dict()["knee"] is None


def test_a_point_not_measured_is_printed_and_is_no_knee() -> None:
    values = measured(24.0, 95.0, 380.0)
    del values["c20"]["throughput"]
    series = result(LOOP, LOOP.knees[0], values)
    assert series.knee is None
    assert "  C=20  not measured" in series.lines(cpu_count=2)


@pytest.mark.parametrize(
    ("cpu", "says"),
    [
        ({"server_cpu": 0.4, "generator_cpu": 0.95}, "the load generator used a whole core"),
        ({"server_cpu": 0.4, "generator_cpu": 0.1, "machine_cpu": 1.9}, "(1.40 of them outside"),
        ({"server_cpu": 0.97, "generator_cpu": 0.1, "machine_cpu": 1.2}, "its CPU is what ran"),
        (
            {"server_cpu": 0.3, "generator_cpu": 0.1, "machine_cpu": 0.5},
            "saturated (the server used 0.30 cores)",
        ),
        ({}, "the CPU was not measured"),
    ],
    ids=["generator", "machine", "server", "none", "unmeasured"],
)
def test_the_knee_says_who_ran_out_of_cpu(cpu: dict[str, float], says: str) -> None:
    series = result(LOOP, LOOP.knees[0], measured(24.0, 60.0, 100.0, **cpu))
    assert says in series.lines(cpu_count=2)[-1]
    if cpu:
        assert "CPU cores: server" in series.lines(cpu_count=2)[1]


def test_the_results_file_gets_every_point_and_the_knee() -> None:
    data = result(LOOP, LOOP.knees[0], measured(24.0, 70.0, 300.0, server_cpu=0.5)).as_dict()
    assert (data["name"], data["measure"], data["below"]) == ("event loop", "throughput", 0.8)
    assert (data["knee"], data["knee_users"]) == ("c20", 20)
    assert data["points"][0] == {
        "phase": "c5",
        "users": 5,
        "measured": 24.0,
        "bound": 25.0,
        "ratio": pytest.approx(0.96),
        "server_cpu": 0.5,
    }
