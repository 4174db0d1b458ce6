"""`lab quiz` from the command line, without a terminal: the key, a scripted learner on stdin,
evidence from a results file, and a results file that cannot be read."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from exercise_recordings import results_document

from contracts.paths import REPO
from exercises.quiz import QUESTIONS

N = len(QUESTIONS)
CITED_RULES = sum(bool(e.rule) for q in QUESTIONS for e in q.evidence)


def lab(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lab", "quiz", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )


@pytest.fixture
def recorded(tmp_path: Path) -> Path:
    path = tmp_path / "results.json"
    path.write_text(json.dumps(results_document(), ensure_ascii=False))
    return path


def answer_line(letter: str, said: str = "answer") -> str:
    q = next(q for q in QUESTIONS if q.answer == letter)
    return f"{said}: {letter}) {q.choice(letter)[:40]}"


def test_help_documents_every_option() -> None:
    done = lab("--help")
    assert done.returncode == 0
    for option in ("--answers", "--results PATH", "--run"):
        assert option in done.stdout


def test_the_key_names_each_answer_and_how_to_measure_it() -> None:
    done = lab("--answers")
    assert done.returncode == 0, done.stderr
    for i, q in enumerate(QUESTIONS, 1):
        assert f"{i}/{N} {q.text[:40]}" in done.stdout
        assert f"   answer: {q.answer}) {q.choice(q.answer)[:40]}" in done.stdout
    assert done.stdout.count("not measured here: add --run") == N
    assert "score" not in done.stdout


def test_the_key_shows_the_recorded_measurements(recorded: Path) -> None:
    done = lab("--answers", "--results", str(recorded))
    assert done.returncode == 0, done.stderr
    assert done.stdout.count(" ✓\n") == CITED_RULES
    assert "✗" not in done.stdout
    assert "not measured" not in done.stdout
    assert (
        "     blocking-in-async · async-blocking (Bad): throughput ≤ 1.5 × 1÷D: "
        "4.75 req/s of bound 7.50 ✓\n"
    ) in done.stdout


def test_a_learner_who_knows_every_answer_scores_them_all(recorded: Path) -> None:
    script = "".join(f"{q.answer}\n" for q in QUESTIONS)
    done = lab("--results", str(recorded), stdin=script)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\nright: ") == N
    assert done.stdout.count(" ✓\n") == CITED_RULES
    assert done.stdout.rstrip().endswith(f"score: {N} of {N}")


def test_an_invalid_answer_is_asked_again_and_the_end_of_input_ends_the_quiz() -> None:
    first = QUESTIONS[0]
    wrong = next(x for x in first.letters if x != first.answer)
    done = lab(stdin=f"e\n{wrong.upper()})\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.count("your answer (") == 3  # e, the wrong letter, then the end of the input
    assert out.count("   answer with one letter: ") == 1
    assert f"your answer ({', '.join(first.letters)}): {wrong.upper()})\n" in out
    assert f"\nwrong: {first.answer}) {first.choice(first.answer)[:40]}" in out
    assert f"2/{N} " in out
    assert out.rstrip().endswith(f"score so far: 0 of 1 answered ({N} questions)")


def test_after_three_invalid_answers_the_quiz_moves_on() -> None:
    done = lab(stdin="x\n\n42\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("   answer with one letter: ") == 3
    assert "\nno answer: " in done.stdout
    assert f"2/{N} " in done.stdout
    assert done.stdout.rstrip().endswith(f"score so far: 0 of 1 answered ({N} questions)")


def test_an_exercise_the_results_lack_is_named_with_the_run_that_adds_it(tmp_path: Path) -> None:
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(results_document(["seed-table"]), ensure_ascii=False))
    done = lab("--answers", "--results", str(path))
    assert done.returncode == 0, done.stderr
    assert (
        "     seed-table · sync-io (Bad): throughput ≤ 1.2 × W÷D: 9.50 req/s of bound 12 ✓\n"
    ) in done.stdout
    assert (
        f"     blocking-in-async: not in {path}; add it: uv run lab exercise run "
        f"seed-table blocking-in-async --short --json {path}\n"
    ) in done.stdout


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "no such file"),
        ("{x}", "not JSON"),  # "{" alone would be a truncated file
        ('{"format": "asynclab-exercise-results", "version": 9}', "results format version 9"),
    ],
    ids=["missing", "not-json", "version"],
)
def test_a_results_file_that_cannot_be_read_is_one_line_and_exit_2(
    tmp_path: Path, text: str | None, message: str
) -> None:
    path = tmp_path / "results.json"
    if text is not None:
        path.write_text(text)
    done = lab("--answers", "--results", str(path))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith(f"lab quiz: --results {path}: {message}")
    assert done.stderr.count("\n") == 1
