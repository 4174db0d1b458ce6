"""The memory-per-wait benchmark: its --waits, the exercise's phases it derives, its table."""

import pytest

from benchmarks.memory_per_wait import (
    Point,
    Table,
    derive,
    estimate_s,
    marginal_kb,
    waits,
    warnings,
)
from exercises import threads_vs_coroutines as tvc
from lab.sweep.grid import GridError


def test_waits_are_a_rising_list_within_gthreads_threads() -> None:
    assert waits("500,100,250") == (100, 250, 500)
    assert waits(str(tvc.THREADS)) == (tvc.THREADS,)


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("", "expected a comma-separated list"),
        ("100,,250", "expected a comma-separated list"),
        ("100,ten", "--waits"),
        ("100,100", "a value repeats"),
        ("0", "out of bounds; expected 1-512"),
        ("513", "more than gthread's 512 threads"),
    ],
)
def test_bad_waits_are_refused_saying_why(raw: str, says: str) -> None:
    with pytest.raises(GridError, match=says):
        waits(raw)


def test_the_phases_are_the_exercises_own_with_a_longer_window() -> None:
    exercise, where = derive((100, 250), 30.0)
    own = [*tvc.phases(100), *tvc.phases(250)]
    assert [p.name for p in exercise.phases] == [p.name for p in own]
    for derived, phase in zip(exercise.phases, own, strict=True):
        assert derived.duration_s == 30.0
        # Everything else as the exercise declares it: servers, settings, upstream, load.
        assert (derived.server, derived.settings, derived.upstream, derived.load) == (
            phase.server,
            phase.settings,
            phase.upstream,
            phase.load,
        )
    # No comparison across configurations: the exercise makes those at 500 waits only.
    assert exercise.rules == (*tvc.rules(100), *tvc.rules(250))
    lean = "async views wait, uvicorn, request_started's receivers dropped"
    assert where["lean-250"] == Point("lean", 250, lean)


def test_the_exercises_memory_comparisons_are_judged_where_their_phases_run() -> None:
    exercise, _ = derive((100, 250, 500), 20.0)
    own = (*tvc.rules(100), *tvc.rules(250), *tvc.rules(500))
    across = exercise.rules[len(own) :]
    assert exercise.rules[: len(own)] == own
    assert [r for r in tvc.EXERCISE.rules if r not in own] == list(across)
    assert {r.measure for r in across} == {"rss_kb_per_in_flight"}


def test_every_phase_gets_a_server_that_has_served_nothing() -> None:
    exercise, _ = derive((100, 250, 500), 20.0)
    assert all(exercise.starts_server(i) for i in range(len(exercise.phases)))


def test_a_window_shorter_than_the_short_mode_still_declares() -> None:
    exercise, _ = derive((10,), 2.0)
    assert {(p.duration_s, p.short_duration_s) for p in exercise.phases} == {(2.0, 2.0)}


def test_the_estimate_grows_with_the_runs_and_the_window() -> None:
    short, _ = derive((100,), 10.0)
    long, _ = derive((100,), 20.0)
    assert estimate_s(short, 2) == 2 * estimate_s(short, 1)
    # Three phases, each 10 s longer.
    assert estimate_s(long, 1) - estimate_s(short, 1) == pytest.approx(30.0)


def run(in_flight: float, rss_kb: float, threads: float) -> dict[str, float]:
    return {
        "in_flight": in_flight,
        "rss_kb_per_in_flight": rss_kb,
        "threads_per_in_flight": threads,
    }


def test_the_table_spreads_each_point_over_the_runs() -> None:
    _, where = derive((100, 500), 20.0)
    table = Table(where)
    table.add({"lean-500": run(500, 40, 0.01), "gthread-100": run(100, 70, 1.0)})
    table.add({"lean-500": run(498, 44, 0.03), "gthread-100": run(100, 90, 1.0)})
    table.add({"lean-500": run(500, 42, 0.02)})  # gthread-100 measured nothing this run
    assert table.lines()[2:] == [
        "| gthread | 100 | 100 | 70 / 80 / 90 (×1.29) (2 of 3 runs) | — "
        "| 1 / 1 / 1 (×1.00) (2 of 3 runs) |",
        "| lean | 500 | 500 | 40 / 42 / 44 (×1.10) | — | 0.01 / 0.02 / 0.03 (×3.00) |",
    ]
    assert table.legend()[0] == (
        "gthread: sync views wait, gunicorn gthread (1 worker, 512 threads)"
    )
    assert [line.split(":")[0] for line in table.legend()] == ["gthread", "asgi", "lean"]


def test_warnings_are_counted_by_kind() -> None:
    busy = "machine busy with other work: 0.80 cores used by processes outside the lab"
    late = "upstream late: p99 ≤ 50 ms past its delay"
    assert warnings([busy, busy.replace("0.80", "1.20"), late]) == [
        "⚠ machine busy with other work: 2 phases",
        "⚠ upstream late: 1 phase",
    ]
    assert warnings([]) == []


def test_the_kb_each_wait_adds_leaves_out_what_the_first_requests_add_once() -> None:
    # 2000 KB once, then 40 KB a wait: 60 KB per wait at 100, 44 at 500; each added 40.
    _, where = derive((100, 500), 20.0)
    table = Table(where)
    table.add({"lean-100": run(100, 60, 0.0), "lean-500": run(500, 44, 0.0)})
    rows = table.lines()[2:]
    assert [row.split(" | ")[4] for row in rows] == ["—", "40"]


def test_no_kb_per_added_wait_without_more_waits_or_figures() -> None:
    point = {"added_kb": [4000.0], "in_flight": [100.0]}
    assert marginal_kb(point, point) is None  # no more requests in flight
    assert marginal_kb({"in_flight": [100.0]}, point) is None  # memory not measured
    more = {"added_kb": [24000.0], "in_flight": [500.0]}
    assert marginal_kb(point, more) == 50.0
