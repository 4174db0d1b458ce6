"""The quiz's questions: enough of them, each well formed, and a question the declaration type
refuses is refused with the question named."""

import pytest

from exercises.quiz import QUESTIONS
from exercises.spec import Evidence, Question

EVIDENCE = (Evidence("seed-table", "sync-io", "throughput"),)


def question(choices: tuple[str, ...] = ("x", "y", "z"), answer: str = "a") -> Question:
    return Question("Why?", choices, answer, EVIDENCE, "Because.")


def test_there_are_at_least_eight_questions_each_with_its_own_text() -> None:
    assert len(QUESTIONS) >= 8
    assert len({q.text for q in QUESTIONS}) == len(QUESTIONS)


def test_every_answer_cites_a_rule_and_explains_itself() -> None:
    for q in QUESTIONS:
        assert any(e.rule for e in q.evidence), q.text
        assert len(q.explanation) > len(q.choice(q.answer)), q.text


def test_the_right_answers_are_not_all_in_one_place() -> None:
    """A learner must read the choices, not learn that the answer is always b."""
    letters = [q.answer for q in QUESTIONS]
    assert max(letters.count(x) for x in set(letters)) <= len(letters) // 2


def test_the_answer_letter_names_its_choice() -> None:
    q = question(("x", "y", "z", "w"), "d")
    assert q.letters == "abcd"
    assert q.choice("d") == "w"


@pytest.mark.parametrize(
    ("choices", "answer", "message"),
    [
        (("x", "y"), "a", "give 3 or 4 choices"),
        (("x", "y", "z", "w", "v"), "a", "give 3 or 4 choices"),
        (("x", "y", "x"), "a", "choices repeat"),
        (("x", "y", "z"), "d", "answer must be one of abc"),
        (("x", "y", "z"), "B", "answer must be one of abc"),
    ],
)
def test_a_malformed_question_is_refused(
    choices: tuple[str, ...], answer: str, message: str
) -> None:
    with pytest.raises(ValueError, match=f"question 'Why\\?': {message}"):
        question(choices, answer)


def test_a_question_needs_evidence_of_a_known_quantity() -> None:
    with pytest.raises(ValueError, match="cite the evidence"):
        Question("Why?", ("x", "y", "z"), "a", (), "Because.")
    bad = Evidence("seed-table", "sync-io", "p42")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown quantity p42"):
        Question("Why?", ("x", "y", "z"), "a", (bad,), "Because.")
