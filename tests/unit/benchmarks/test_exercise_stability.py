"""The stability summary: outcomes and row verdicts across runs, each rule's spread."""

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks.exercise_stability import SECONDS, Figures, kept_runs, main, spread, summary


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


def keep_run(keep: Path, n: int, verdict: str, *, finished: bool = True) -> None:
    out = keep / f"run-{n}"
    out.mkdir(parents=True)
    doc = {"exercises": [{"name": "seed-table", **exercise(verdict, 9.5, True)}]}
    (out / "seed-table.json").write_text(json.dumps(doc))
    if finished:
        (out / SECONDS).write_text(json.dumps({"seed-table": 80.0}))


def test_kept_runs_are_read_back_in_order_and_a_stopped_one_is_left_out(tmp_path: Path) -> None:
    for n in (1, 2, 10):
        keep_run(tmp_path, n, "Bad" if n != 10 else "Good")
    keep_run(tmp_path, 11, "Surprise", finished=False)

    figures = kept_runs(tmp_path)

    assert list(figures) == ["seed-table"]
    assert figures["seed-table"].rows["sync-io"] == ["Bad", "Bad", "Good"]


def test_from_an_empty_directory_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--from", str(tmp_path)])
    assert stopped.value.code == 2
    assert "no finished run in it" in capsys.readouterr().err


def test_from_a_kept_directory_prints_the_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keep_run(tmp_path, 1, "Bad")
    keep_run(tmp_path, 2, "Bad")
    assert main(["--from", str(tmp_path)]) == 0
    assert capsys.readouterr().out.startswith("seed-table: 2/2 as expected, stable")
