"""The table and the progress line a learner sees."""

import dataclasses
import io

from exercise_recordings import SEED_TABLE_VALUES, runs

from exercises.seed_table import EXERCISE as SEED_TABLE
from exercises.spec import Knee
from lab.exercise.progress import Progress
from lab.exercise.report import table, text
from lab.exercise.verdict import judge


def test_the_table_has_a_row_per_phase_with_threads_impact_and_verdict() -> None:
    verdicts = judge(SEED_TABLE, SEED_TABLE_VALUES)
    lines = table(SEED_TABLE, runs(SEED_TABLE_VALUES), verdicts).splitlines()
    assert lines[0].split()[:3] == ["#", "pattern", "threads"]
    rows = lines[2:]
    assert len(rows) == 4
    assert rows[0].startswith("1  sync view waits on I/O, gunicorn sync (W=2)")
    assert "2 (1+1)" in rows[0]
    assert "throughput 9.50 ≤ 12, p50 1021 ≥ 400" in rows[0]
    assert [r.split()[-1] for r in rows] == ["Bad", "Good", "Bad", "OK"]


def test_every_rule_is_printed_under_its_row() -> None:
    verdicts = judge(SEED_TABLE, SEED_TABLE_VALUES)
    out = text(SEED_TABLE, runs(SEED_TABLE_VALUES), verdicts)
    assert out.count(" ✓ — ") == len(SEED_TABLE.rules)
    assert "ERRORS" not in out
    assert out.index("row 3 async-cpu") < out.index("bystander /ping p99 ≥ 0.5 × P")


def test_failures_a_phase_expects_are_noted_not_shouted() -> None:
    faulty = dataclasses.replace(SEED_TABLE.phase("async-cpu"), expect_failures=True)
    exercise = dataclasses.replace(
        SEED_TABLE, phases=tuple(faulty if p.name == faulty.name else p for p in SEED_TABLE.phases)
    )
    recorded = runs(SEED_TABLE_VALUES)
    recorded[2].client = {"errors": {"HTTP 504": 9}}
    out = text(exercise, recorded, judge(exercise, SEED_TABLE_VALUES))
    assert "row 3 async-cpu" in out
    assert "failed as the fault expects {'HTTP 504': 9}" in out
    assert "ERRORS" not in out
    # The same failures on a phase that does not expect them are shouted.
    assert "ERRORS {'HTTP 504': 9} probe {}" in text(SEED_TABLE, recorded, [])


def test_a_row_measured_through_the_proxy_says_so() -> None:
    recorded = runs(SEED_TABLE_VALUES)
    recorded[0].settings = {"workers": 2, "proxy": "nginx"}
    recorded[1].settings = {"workers": 2, "proxy": "off"}
    out = text(SEED_TABLE, recorded, judge(SEED_TABLE, SEED_TABLE_VALUES)).splitlines()
    (first,) = [line for line in out if line.startswith("row 1 ")]
    (second,) = [line for line in out if line.startswith("row 2 ")]
    assert "; through nginx;" in first
    assert "through" not in second


def test_apparatus_warnings_stand_under_their_row_and_beside_a_surprise() -> None:
    recorded = runs(SEED_TABLE_VALUES)
    recorded[1].apparatus = {"warnings": ["CPU stolen by the hypervisor: 30%"]}
    surprising = {**SEED_TABLE_VALUES, "async-io": {**SEED_TABLE_VALUES["async-io"], "p50": 9e3}}
    out = text(SEED_TABLE, recorded, judge(SEED_TABLE, surprising)).splitlines()
    row = out.index(next(line for line in out if line.startswith("row 2 async-io")))
    assert out[row + 1] == "  ⚠ CPU stolen by the hypervisor: 30%"
    assert "    (the warnings above may explain this surprise)" in out[row + 2 :]
    assert not any(line.startswith("  ⚠") for line in out[:row])


def test_clients_giving_up_as_declared_are_noted_not_shouted() -> None:
    patient = dataclasses.replace(SEED_TABLE.phase("sync-io"), client_timeout_s=0.3)
    others = SEED_TABLE.phases[1:]
    exercise = dataclasses.replace(SEED_TABLE, phases=(patient, *others))
    recorded = runs(SEED_TABLE_VALUES)
    recorded[0].client = {"errors": {"timeout": 30}}
    out = text(exercise, recorded, judge(exercise, SEED_TABLE_VALUES))
    assert "clients gave up as declared {'timeout': 30}" in out
    assert "ERRORS" not in out
    recorded[0].client = {"errors": {"timeout": 30, "HTTP 502": 1}}
    assert "ERRORS {'timeout': 30, 'HTTP 502': 1}" in text(exercise, recorded, [])


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_redraws_one_line_on_a_terminal() -> None:
    out = Tty()
    p = Progress(out)
    p.update("seed-table", 1, 4, "sync-io", 15.2)
    p.update("seed-table", 1, 4, "sync-io", 14.0)
    p.done()
    assert out.getvalue() == (
        "\r\x1b[K[seed-table] phase 1/4 sync-io: 15 s left"
        "\r\x1b[K[seed-table] phase 1/4 sync-io: 14 s left\r\x1b[K"
    )


def test_progress_writes_a_line_per_phase_elsewhere() -> None:
    out = io.StringIO()
    p = Progress(out)
    for phase, left in [("sync-io", 15), ("sync-io", 14), ("async-io", 15)]:
        p.update("seed-table", 1 + (phase == "async-io"), 4, phase, left)
    assert out.getvalue().splitlines() == [
        "[seed-table] phase 1/4 sync-io: 15 s left",
        "[seed-table] phase 2/4 async-io: 15 s left",
    ]


def test_each_knee_series_is_printed_after_the_rules() -> None:
    # The two I/O rows as a series: the async one at 47.5 of 50 req/s, the sync one at 9.5 of
    # 50, which is the knee.
    knee = Knee("io", {"async-io": 50.0, "sync-io": 50.0})
    exercise = dataclasses.replace(SEED_TABLE, knees=(knee,))
    out = text(exercise, runs(SEED_TABLE_VALUES), judge(exercise, SEED_TABLE_VALUES))
    assert out.index("row 4 sync-cpu") < out.index("knee io:") < out.index(SEED_TABLE.explanation)
    assert "\n  C=10  47.5 of 50 = 0.95" in out
    assert "\n  C=10  9.50 of 50 = 0.19 ← knee" in out
    assert "\n  the knee: C=10 (sync-io); the CPU was not measured" in out
