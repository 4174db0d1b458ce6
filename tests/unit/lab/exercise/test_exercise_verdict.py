"""Rules judged on recorded measurements: the expected verdicts, and a surprise when a run
disagrees (never bent into the expected verdict)."""

import copy
import dataclasses

from exercise_recordings import SEED_TABLE_VALUES, runs

from exercises.seed_table import EXERCISE as SEED_TABLE
from exercises.spec import Of, Rule
from lab.exercise.report import text
from lab.exercise.verdict import exit_code, judge, judge_rule, row_verdict


def test_the_recorded_run_gives_the_expected_verdicts() -> None:
    verdicts = judge(SEED_TABLE, SEED_TABLE_VALUES)
    assert all(v.holds for v in verdicts), [v.line() for v in verdicts if not v.holds]
    assert [row_verdict(p, verdicts) for p in SEED_TABLE.phases] == ["Bad", "Good", "Bad", "OK"]
    assert exit_code(verdicts) == 0


def test_a_rule_prints_its_figure_beside_its_bound() -> None:
    verdicts = judge(SEED_TABLE, SEED_TABLE_VALUES)
    assert verdicts[0].line() == (
        "throughput ≤ 1.2 × W÷D: 9.50 req/s of bound 12 ✓ — "
        "requests queue for a worker: W workers each finish one request per D"
    )
    assert verdicts[0].impact() == "throughput 9.50 ≤ 12"


def test_a_bound_can_be_a_factor_of_another_measurement() -> None:
    last = judge(SEED_TABLE, SEED_TABLE_VALUES)[-1]
    assert last.bound == 0.25 * SEED_TABLE_VALUES["async-cpu"]["probe_p99"]
    assert last.measured == SEED_TABLE_VALUES["sync-cpu"]["probe_p99"]
    assert last.holds


def test_sync_workers_that_keep_up_are_a_surprise() -> None:
    # As if row 1 had run on enough threads: 40 req/s where W÷D allows 10.
    values = copy.deepcopy(SEED_TABLE_VALUES)
    values["sync-io"].update(throughput=40.0, p50=230.0)
    verdicts = judge(SEED_TABLE, values)
    failed = [v for v in verdicts if not v.holds]
    assert [v.rule for v in failed] == ["throughput ≤ 1.2 × W÷D", "p50 ≥ 2 × D"]
    assert "✗ — surprise: expected, since requests queue" in failed[0].line()
    assert row_verdict(SEED_TABLE.phase("sync-io"), verdicts) == "surprise (expected Bad)"
    assert row_verdict(SEED_TABLE.phase("async-io"), verdicts) == "Good"
    assert exit_code(verdicts) == 1
    assert "surprise (expected Bad)" in text(SEED_TABLE, runs(values), verdicts)


def test_a_bystander_spared_by_the_loop_is_a_surprise() -> None:
    values = copy.deepcopy(SEED_TABLE_VALUES)
    values["async-cpu"]["probe_p99"] = 20.0
    verdicts = judge(SEED_TABLE, values)
    # Row 3's own rule fails, and row 4's bound (a quarter of it) shrinks below row 4's p99.
    assert {v.phase for v in verdicts if not v.holds} == {"async-cpu", "sync-cpu"}
    assert exit_code(verdicts) == 1


def test_a_measurement_that_is_missing_does_not_hold() -> None:
    rule = Rule("a", "p50 ≤ 1", "p50", "<=", 1.0, "why")
    v = judge_rule(rule, {"a": {}})
    assert not v.holds
    assert v.measured is None
    assert "not measured ✗" in v.line()
    assert not judge_rule(Rule("a", "t", "p50", "<=", Of("b", "p50"), "w"), {"a": {"p50": 1}}).holds


def test_the_comparison_is_inclusive_at_the_bound() -> None:
    assert judge_rule(Rule("a", "t", "p50", "<=", 5.0, "w"), {"a": {"p50": 5.0}}).holds
    assert judge_rule(Rule("a", "t", "p50", ">=", 5.0, "w"), {"a": {"p50": 5.0}}).holds
    assert not judge_rule(Rule("a", "t", "p50", ">=", 5.0, "w"), {"a": {"p50": 4.9}}).holds


def test_failed_requests_make_the_row_a_surprise() -> None:
    values = copy.deepcopy(SEED_TABLE_VALUES)
    values["async-io"]["errors"] = 3  # 502s, say: fast, so the rules alone might still hold
    verdicts = judge(SEED_TABLE, values)
    (failed,) = [v for v in verdicts if not v.holds]
    assert failed.line() == (
        "no request fails: 3 failed requests of bound 0 ✗ — surprise: expected, since "
        "the rules are about answered requests, so failures void them"
    )
    assert row_verdict(SEED_TABLE.phase("async-io"), verdicts) == "surprise (expected Good)"
    assert exit_code(verdicts) == 1


def test_a_phase_expecting_failures_is_voided_only_by_the_bystander() -> None:
    faulty = dataclasses.replace(SEED_TABLE.phase("async-cpu"), expect_failures=True)
    exercise = dataclasses.replace(
        SEED_TABLE, phases=tuple(faulty if p.name == faulty.name else p for p in SEED_TABLE.phases)
    )
    values = copy.deepcopy(SEED_TABLE_VALUES)
    values["async-cpu"].update(errors=40, probe_errors=0)  # 504s of the main load, say
    verdicts = judge(exercise, values)
    assert all(v.holds for v in verdicts)
    assert row_verdict(faulty, verdicts) == "Bad"

    values["async-cpu"].update(errors=42, probe_errors=2)
    (failed,) = [v for v in judge(exercise, values) if not v.holds]
    assert failed.line() == (
        "no bystander request fails: 2 failed requests of bound 0 ✗ — surprise: expected, "
        "since the fault is the main load's: the bystander's requests must still answer"
    )
    # Without the flag, the same failures void the row.
    assert not all(v.holds for v in judge(SEED_TABLE, values))


def test_a_phase_with_a_client_timeout_expects_those_timeouts_and_nothing_else() -> None:
    patient = dataclasses.replace(SEED_TABLE.phase("sync-io"), client_timeout_s=0.3)
    others = SEED_TABLE.phases[1:]
    exercise = dataclasses.replace(SEED_TABLE, phases=(patient, *others))
    values = copy.deepcopy(SEED_TABLE_VALUES)
    values["sync-io"].update(errors=40, timeouts=40)
    assert all(v.holds for v in judge(exercise, values))
    values["sync-io"].update(errors=43, timeouts=40)  # three 502s besides
    (failed,) = [v for v in judge(exercise, values) if not v.holds]
    assert (failed.rule, failed.measured) == ("no request fails", 3)
    # Without the timeout, the same timeouts void the row.
    values["sync-io"].update(errors=40, timeouts=40)
    assert not all(v.holds for v in judge(SEED_TABLE, values))
