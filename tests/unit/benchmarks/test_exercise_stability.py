"""The stability summary: outcomes and row verdicts across runs, each rule's spread."""

from typing import Any

from benchmarks.exercise_stability import Figures, spread, summary


def exercise(verdict: str, measured: float | None, holds: bool) -> dict[str, Any]:
    return {
        "outcome": "as expected" if holds else "surprise",
        "phases": [{"name": "sync-io", "verdict": verdict}],
        "verdicts": [
            {"phase": "sync-io", "rule": "throughput ≤ 12", "unit": "req/s",
             "holds": holds, "measured": measured},
        ],
    }  # fmt: skip


def test_the_same_verdicts_in_every_run_are_stable() -> None:
    f = Figures()
    f.add(exercise("Bad", 9.5, True), 80.0)
    f.add(exercise("Bad", 10.0, True), 90.0)
    assert f.stable
    assert summary("seed-table", f) == [
        "seed-table: 2/2 as expected, stable; run time median 85 s (max 90 s)",
        "  row sync-io: Bad, Bad",
        "  sync-io: throughput ≤ 12: 9.5 / 9.75 / 10 (×1.05) req/s; held 2/2",
    ]


def test_a_verdict_that_flips_is_unstable() -> None:
    f = Figures()
    f.add(exercise("Bad", 9.5, True), 80.0)
    f.add(exercise("surprise (expected Bad)", None, False), 80.0)
    assert not f.stable
    lines = summary("seed-table", f)
    assert lines[0].startswith("seed-table: 1/2 as expected, UNSTABLE")
    assert lines[-1] == "  sync-io: throughput ≤ 12: 9.5 / 9.5 / 9.5 (×1.00) req/s; held 1/2"


def test_spread_without_values_or_with_zero() -> None:
    assert spread([]) == "not measured"
    assert spread([0.0, 2.0]) == "0 / 1 / 2"
