"""`lab quiz [--answers] [--results PATH] [--run]`: multiple-choice questions on when async
helps a Django app and when it does not, each answer shown with the measurements of the
exercise that proves it.

Answer each question with its letter; Ctrl-D ends the quiz with the score so far. --answers
prints the key instead. The evidence comes from --results (a file written by `lab exercise
run --json`) and, with --run, from running each cited exercise the file lacks (--short, when
a question first needs it); with neither, each answer names the command that measures it.
Exit status: 0; 2 for a results file that cannot be read, a key that cites what the
exercises lack, or an exercise that cannot start; 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from contracts.settings import LabSettings
from lab import signals

# Imported lazily, as `lab exercise` does: the exercises are not part of the server images.
if TYPE_CHECKING:
    from exercises.spec import Exercise, Question
    from lab.quiz.evidence import Measurements, Result

WIDTH = 100
TRIES = 3  # invalid answers to one question before the quiz moves on


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "quiz",
        help="a quiz on when async helps, each answer proved by an exercise's measurements",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--answers",
        action="store_true",
        help="print every question with its answer, explanation and evidence",
    )
    p.add_argument(
        "--results",
        metavar="PATH",
        help="cite the measurements of this results file (lab exercise run ... --json PATH)",
    )
    p.add_argument(
        "--run",
        action="store_true",
        help="run each cited exercise that --results lacks (--short, a few seconds a phase)",
    )


def main(args: argparse.Namespace, settings: LabSettings, env: Mapping[str, str]) -> int:
    from exercises.quiz import QUESTIONS
    from lab.exercise.catalogue import catalogue
    from lab.exercise.engine import SetupError
    from lab.exercise.results import ResultsError
    from lab.quiz.key import problems

    exercises = catalogue()
    wrong = problems(QUESTIONS, exercises)
    if wrong:
        print(
            f"lab quiz: the key cites what the exercises lack: {'; '.join(wrong)}", file=sys.stderr
        )
        return 2
    try:
        measured = measurements(args, settings, env, exercises)
    except ResultsError as e:
        print(f"lab quiz: --results {e}", file=sys.stderr)
        return 2
    score = Score(len(QUESTIONS))
    try:
        if args.answers:
            key(QUESTIONS, measured, sys.stdout)
        else:
            quiz(QUESTIONS, measured, sys.stdin, sys.stdout, score)
    except SetupError as e:
        print(f"lab quiz: {e}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, signals.Stop):
        print(f"\nlab quiz: interrupted; {score.so_far()}", file=sys.stderr)
        return 130
    return 0


def measurements(
    args: argparse.Namespace,
    settings: LabSettings,
    env: Mapping[str, str],
    exercises: Mapping[str, Exercise],
) -> Measurements:
    from lab.exercise import results
    from lab.quiz.evidence import Measurements

    run = runner(settings, env, exercises) if args.run else None
    if args.results is None:
        return Measurements(run=run)
    return Measurements.of(results.read(Path(args.results)), args.results, run)


def runner(
    settings: LabSettings, env: Mapping[str, str], exercises: Mapping[str, Exercise]
) -> Callable[[str], Result]:
    """Run one exercise as `lab exercise run NAME --short` does, without its report: the
    quiz prints the measurements it cites."""
    from lab.exercise import engine, results
    from lab.exercise.cli import measure
    from lab.exercise.progress import Progress

    progress = Progress()

    def run(name: str) -> Result:
        exercise = exercises[name]
        print(
            f"   measuring {name} (--short, about {exercise.run_seconds(short=True):.0f} s)",
            file=sys.stderr,
        )
        with signals.stop_raises(), engine.bench(settings, env) as bench:
            runs, verdicts = measure(exercise, bench, True, progress)
        return results.exercise_result(exercise, runs, verdicts)

    return run


class Score:
    def __init__(self, questions: int) -> None:
        self.questions = questions
        self.asked = 0
        self.right = 0

    def final(self) -> str:
        return f"score: {self.right} of {self.questions}"

    def so_far(self) -> str:
        return f"score so far: {self.right} of {self.asked} answered ({self.questions} questions)"


def wrap(text: str, indent: str = "", first: str | None = None) -> str:
    return textwrap.fill(
        text,
        WIDTH,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_on_hyphens=False,  # keeps sync-to-async and thread_sensitive=False whole
    )


def show(question: Question, number: int, count: int, out: TextIO) -> None:
    print(wrap(question.text, "   ", f"{number}/{count} "), file=out)
    for letter, choice in zip(question.letters, question.choices, strict=True):
        print(wrap(choice, "      ", f"   {letter}) "), file=out)


def answer(question: Question, measured: Measurements, out: TextIO) -> None:
    """The explanation and the evidence that proves the answer."""
    from lab.quiz.evidence import lines

    print(wrap(question.explanation, "   "), file=out)
    print("   evidence:", file=out)
    for line in lines(question, measured):
        print(f"     {line}", file=out)  # unwrapped: figures and commands read (and copy) whole
    print(file=out)


def key(questions: Sequence[Question], measured: Measurements, out: TextIO) -> None:
    """Every question with its answer, explanation and evidence."""
    for i, q in enumerate(questions, 1):
        show(q, i, len(questions), out)
        print(wrap(q.choice(q.answer), "      ", f"   answer: {q.answer}) "), file=out)
        answer(q, measured, out)


def ask(question: Question, stdin: TextIO, out: TextIO) -> str | None:
    """The learner's letter; "" after TRIES invalid answers, None at the end of the input."""
    for _ in range(TRIES):
        out.write(f"your answer ({', '.join(question.letters)}): ")
        out.flush()
        line = stdin.readline()
        if not line:
            print(file=out)
            return None
        if not stdin.isatty():  # a script's answers: shown, so the transcript reads as a dialogue
            out.write(line if line.endswith("\n") else line + "\n")
        letter = line.strip().lower().removesuffix(")")
        if letter in tuple(question.letters):
            return letter
        print(f"   answer with one letter: {', '.join(question.letters)}", file=out)
    return ""


def quiz(
    questions: Sequence[Question],
    measured: Measurements,
    stdin: TextIO,
    out: TextIO,
    score: Score,
) -> None:
    print(
        f"{len(questions)} questions on when async helps a Django app and when it does not. "
        "Answer with a letter; Ctrl-D ends.\n",
        file=out,
    )
    for i, q in enumerate(questions, 1):
        show(q, i, len(questions), out)
        letter = ask(q, stdin, out)
        if letter is None:
            print(score.so_far(), file=out)
            return
        score.asked += 1
        score.right += letter == q.answer
        said = "right" if letter == q.answer else "no answer" if letter == "" else "wrong"
        print(wrap(q.choice(q.answer), "      ", f"{said}: {q.answer}) "), file=out)
        answer(q, measured, out)
    print(score.final(), file=out)
