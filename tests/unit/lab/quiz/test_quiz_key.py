"""The quiz's key, checked against the exercises it cites: each exercise, phase, quantity and
rule exists in the catalogue, and the rules it cites held in a real run of those exercises."""

import pytest
from exercise_recordings import RECORDED

from exercises.quiz import QUESTIONS
from exercises.spec import Evidence, Question
from lab.exercise.catalogue import catalogue
from lab.exercise.verdict import judge
from lab.quiz.key import problems


def test_every_citation_of_the_key_is_in_the_catalogue() -> None:
    assert problems(QUESTIONS, catalogue()) == []


def test_the_rules_the_key_cites_held_in_a_recorded_run() -> None:
    """The answers say what the exercises measured: each cited rule, judged by today's bounds
    on a real run's figures, holds, so the evidence a learner sees bears the answer out."""
    exercises = catalogue()
    cited = {(e.exercise, e.phase, e.rule) for q in QUESTIONS for e in q.evidence if e.rule}
    assert {name for name, _, _ in cited} <= set(RECORDED)
    held = {
        (name, v.phase, v.rule)
        for name in RECORDED
        for v in judge(exercises[name], RECORDED[name])
        if v.holds
    }
    assert cited - held == set()


def ask(*evidence: Evidence) -> list[str]:
    return problems([Question("Why?", ("x", "y", "z"), "a", evidence, "Because.")], catalogue())


@pytest.mark.parametrize(
    ("evidence", "problem"),
    [
        (Evidence("no-such", "sync-io", "p50"), "question 1: no exercise no-such"),
        (
            Evidence("seed-table", "no-phase", "p50"),
            "question 1: seed-table · no-phase: seed-table has no phase no-phase",
        ),
        (
            Evidence("seed-table", "sync-io", "probe_p99"),
            "question 1: seed-table · sync-io: no bystander probe to measure probe_p99",
        ),
        (
            Evidence("seed-table", "sync-io", "p50", "p50 ≥ 3 × D"),
            "question 1: seed-table · sync-io: no rule 'p50 ≥ 3 × D' on p50",
        ),
        # A rule of the exercise, but of another phase, or about another quantity.
        (
            Evidence("seed-table", "async-io", "p50", "p50 ≥ 2 × D"),
            "question 1: seed-table · async-io: no rule 'p50 ≥ 2 × D' on p50",
        ),
        (
            Evidence("seed-table", "sync-io", "p99", "p50 ≥ 2 × D"),
            "question 1: seed-table · sync-io: no rule 'p50 ≥ 2 × D' on p99",
        ),
    ],
    ids=["exercise", "phase", "probe", "rule", "rule-of-another-phase", "rule-on-another-q"],
)
def test_a_citation_the_catalogue_lacks_is_named(evidence: Evidence, problem: str) -> None:
    assert ask(evidence) == [problem]


def test_a_sound_citation_passes_with_or_without_its_rule() -> None:
    assert ask(Evidence("seed-table", "sync-io", "p50", "p50 ≥ 2 × D")) == []
    assert ask(Evidence("fanout", "tasks", "threads")) == []
