"""The evidence printed under each answer, from a recorded results document: each cited
measurement beside its bound, what to run when the document lacks an exercise, and the
commands when nothing is measured."""

import copy
from typing import Any

from exercise_recordings import results_document

from exercises.quiz import QUESTIONS
from exercises.spec import Evidence, Question
from lab.quiz.evidence import Measurements, Result, cited, lines


def question(*evidence: Evidence) -> Question:
    return Question("Why?", ("x", "y", "z"), "a", evidence, "Because.")


BLOCKING = question(
    Evidence("blocking-in-async", "async-blocking", "throughput", "throughput ≤ 1.5 × 1÷D"),
    Evidence("blocking-in-async", "async", "throughput"),
)
FANOUT_THREADS = question(Evidence("fanout", "tasks", "threads"))


def recorded(*names: str) -> Measurements:
    doc = results_document(names) if names else results_document()
    return Measurements.of(doc, "out/results.json")


def test_each_cited_measurement_is_shown_beside_its_bound() -> None:
    assert lines(BLOCKING, recorded()) == [
        "blocking-in-async · async-blocking (Bad): throughput ≤ 1.5 × 1÷D: "
        "4.75 req/s of bound 7.50 ✓",
        "blocking-in-async · async (Good): throughput ≥ 0.5 × C÷D: 45.2 req/s of bound 25 ✓",
    ]


def test_a_quantity_no_rule_judges_is_shown_with_its_unit() -> None:
    assert lines(FANOUT_THREADS, recorded()) == ["fanout · tasks (Good): 8 threads"]
    p99 = question(Evidence("seed-table", "sync-io", "p99"))
    assert lines(p99, recorded()) == ["seed-table · sync-io (Bad): p99 1031 ms"]


def test_every_question_of_the_quiz_is_borne_out_by_the_recorded_runs() -> None:
    measured = recorded()
    for q in QUESTIONS:
        shown = lines(q, measured)
        assert len(shown) == len(q.evidence), q.text
        assert all(" ✗" not in line and "surprise" not in line for line in shown), shown
        assert sum(line.endswith(" ✓") for line in shown) == sum(bool(e.rule) for e in q.evidence)


def test_an_exercise_the_file_lacks_is_named_with_the_run_that_adds_it() -> None:
    measured = recorded("seed-table", "fanout")
    assert lines(BLOCKING, measured) == [
        "blocking-in-async: not in out/results.json; add it: uv run lab exercise run "
        "seed-table fanout blocking-in-async --short --json out/results.json"
    ]


def test_a_run_that_disagrees_with_the_key_says_so() -> None:
    doc = results_document(["blocking-in-async"])
    phases: list[dict[str, Any]] = doc["exercises"][0]["phases"]
    verdicts: list[dict[str, Any]] = doc["exercises"][0]["verdicts"]
    phases[0]["verdict"] = "surprise (expected Bad)"
    verdicts[0].update(measured=30.0, holds=False)
    shown = lines(BLOCKING, Measurements.of(doc, "r.json"))
    assert shown[0] == (
        "blocking-in-async · async-blocking (surprise (expected Bad)): throughput ≤ 1.5 × 1÷D: "
        "30 req/s of bound 7.50 ✗"
    )
    assert shown[-1] == (
        "blocking-in-async: this run disagrees with the key (a surprise); "
        "`uv run lab exercise run blocking-in-async` reports every rule"
    )


def test_a_phase_the_file_lacks_is_said_not_skipped() -> None:
    doc = results_document(["blocking-in-async"])
    del doc["exercises"][0]["phases"][1]
    shown = lines(BLOCKING, Measurements.of(doc, "r.json"))
    assert shown[1] == (
        "blocking-in-async · async: not in these results (recorded before the phase existed?)"
    )
    assert "disagrees with the key" in shown[-1]


def test_cited_exercises_are_run_once_when_first_needed() -> None:
    source = results_document()
    asked: list[str] = []

    def run(name: str) -> Result:
        asked.append(name)
        return copy.deepcopy(next(e for e in source["exercises"] if e["name"] == name))

    measured = Measurements.of(results_document(["seed-table"]), "r.json", run)
    assert lines(question(Evidence("seed-table", "sync-io", "p50")), measured)
    assert asked == []
    lines(BLOCKING, measured)
    lines(BLOCKING, measured)
    assert asked == ["blocking-in-async"]
    assert lines(BLOCKING, measured)[0].endswith("4.75 req/s of bound 7.50 ✓")


def test_with_nothing_measured_the_answer_names_what_proves_it_and_the_command() -> None:
    assert lines(BLOCKING, Measurements()) == [
        "blocking-in-async · async-blocking: throughput ≤ 1.5 × 1÷D",
        "blocking-in-async · async: throughput",
        "not measured here: add --run, or --results FILE from "
        "`uv run lab exercise run blocking-in-async --short --json FILE`",
    ]


def test_each_cited_exercise_is_named_once_in_order() -> None:
    q = question(
        Evidence("fanout", "tasks", "p50"),
        Evidence("seed-table", "sync-io", "p50"),
        Evidence("fanout", "threads", "p50"),
    )
    assert cited(q) == ["fanout", "seed-table"]
