"""lab: run the asynclab services and experiments. One module per command; this file only
parses arguments and dispatches."""

from __future__ import annotations

import argparse
import os
import signal
import sys

from contracts.dotenv import environment_with_dotenv
from contracts.paths import REPO
from contracts.settings import LabSettings, SettingsError
from contracts.topology import BY_NAME, PORTLESS_PROCESSES
from lab.advise.cli import add_parser as add_advise_parser
from lab.browser.cli import add_parser as add_browser_parser
from lab.compose import add_parser as add_compose_parser
from lab.exercise.cli import add_parser as add_exercise_parser
from lab.load import add_parser as add_load_parser
from lab.quiz.cli import add_parser as add_quiz_parser
from lab.report.cli import add_parser as add_report_parser
from lab.sweep.cli import add_parser as add_sweep_parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lab",
        description="asynclab: run the lab's services as local processes (up, serve) or in "
        "containers (compose), load them at a fixed arrival rate (load), run the "
        "scripted exercises (exercise), show their results as a page (report), answer "
        "'should we go async?' from them (advise), take the quiz they prove (quiz), "
        "load the pages in a real browser (browser), and map the space of concurrency "
        "and delay with its knees (sweep).",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    up = sub.add_parser("up", help="run the whole lab as local processes (Ctrl-C stops it)")
    up.add_argument(
        "--only", metavar="NAMES", help=f"comma-separated subset of: {', '.join(BY_NAME)}"
    )
    up.add_argument(
        "--locust-workers",
        metavar="N",
        help="run Locust as a master and N workers (default: LOCUST_WORKERS)",
    )

    serve = sub.add_parser("serve", help="run one service in the foreground")
    serve.add_argument("name", choices=sorted([*BY_NAME, *PORTLESS_PROCESSES]))

    add_load_parser(sub)
    add_compose_parser(sub)
    add_exercise_parser(sub)
    add_quiz_parser(sub)
    add_report_parser(sub)
    add_advise_parser(sub)
    add_browser_parser(sub)
    add_sweep_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> None:
    """The `lab` command. Output piped into a reader that stops early (`lab quiz --answers |
    head`) ends it quietly with SIGPIPE's status, as other command-line tools do."""
    try:
        command(argv)
    except BrokenPipeError:
        # Python flushes stdout once more on the way out: point it at /dev/null first.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(128 + signal.SIGPIPE)


def command(argv: list[str] | None) -> None:
    args = build_parser().parse_args(argv)
    # .env + the real environment (which wins): the lab's settings come from it, and so does
    # every child's environment, so SLOW_*, DJANGO_*, DATABASE_URL... in .env reach the servers.
    env = environment_with_dotenv(REPO / ".env")
    try:
        settings = LabSettings.from_env(env)
    except SettingsError as e:
        sys.exit(f"lab: {e}")

    if args.command == "compose":
        from lab.compose import main as compose

        sys.exit(compose(args, settings))
    if args.command == "exercise":
        from lab.exercise.cli import main as exercise

        sys.exit(exercise(args, settings, env))
    if args.command == "sweep":
        from lab.sweep.cli import main as sweep

        sys.exit(sweep(args, settings, env))
    if args.command == "quiz":
        from lab.quiz.cli import main as quiz

        sys.exit(quiz(args, settings, env))
    if args.command == "report":
        from lab.report.cli import main as report

        sys.exit(report(args, settings))
    if args.command == "advise":
        from lab.advise.cli import main as advise

        sys.exit(advise(args, settings))
    if args.command == "browser":
        from lab.browser.cli import main as browser

        sys.exit(browser(args, settings, env))
    if args.command == "load":
        from lab.load import main as load

        sys.exit(load(args, settings))
    elif args.command == "serve":
        from lab.serve import serve

        serve(args.name, settings, env)
    elif args.command == "up":
        from lab.up import up

        only = [n.strip() for n in args.only.split(",")] if args.only else None
        unknown = [n for n in only or [] if n not in BY_NAME]
        if unknown:
            sys.exit(
                f"lab up: unknown service {', '.join(unknown)}; choose from {', '.join(BY_NAME)}"
            )
        if args.locust_workers is not None:
            # The same parser and bound as LOCUST_WORKERS in the environment.
            try:
                settings = LabSettings.from_env({**env, "LOCUST_WORKERS": args.locust_workers})
            except SettingsError as e:
                sys.exit(f"lab up: --locust-workers: {e}")
        sys.exit(up(settings, only, env=env))
