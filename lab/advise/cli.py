"""`lab advise --results RESULTS.json --upstream-ms D --cpu-ms C --target-rps R`: which server
configuration carries your load, with what headroom, and why, from the lab's measurements.

Each configuration's capacity is the lower of two ceilings: Little's law for the waits
(N requests at once ÷ the time each holds a slot) and the CPU (cores ÷ the CPU each request
costs, the view's own plus what the server was measured to spend around it on slow I/O).
Every figure names the measurement it rests on; a configuration the results have not
measured is reported as such. Exit status: 0 answered; 2 bad input, said in one line.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from contracts import values
from contracts.settings import LabSettings

# The exercises whose slow-I/O phases measure each configuration's CPU per request.
MEASURING = "little gthread green-threads"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "advise",
        help="should we go async? capacity per server configuration for your numbers",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--results", required=True, metavar="RESULTS.json", help="lab exercise run --json"
    )
    p.add_argument("--upstream-ms", required=True, help="what a request waits on I/O, in ms")
    p.add_argument("--cpu-ms", default="0", help="the view's own CPU work per request, in ms")
    p.add_argument("--target-rps", required=True, help="the throughput wanted, in req/s")
    p.add_argument("--workers", help="worker processes (default: WEB_WORKERS)")
    p.add_argument("--threads", default="8", help="threads per gthread worker (default 8)")
    p.add_argument("--cores", help="CPU cores of the machine (default: this one's)")


def _parsed[T: (int, float)](option: str, parse: Callable[[str], T], raw: str) -> T:
    try:
        return parse(raw)
    except values.BadValue as e:
        raise ValueError(f"{option}: {e}") from None


def main(args: argparse.Namespace, settings: LabSettings) -> int:
    from lab.advise import model, text
    from lab.exercise.results import ResultsError, read

    try:
        question = model.Question(
            upstream_ms=_parsed("--upstream-ms", values.parse_number, args.upstream_ms),
            cpu_ms=_parsed("--cpu-ms", values.parse_number, args.cpu_ms),
            target_rps=_parsed("--target-rps", values.parse_number, args.target_rps),
            workers=_parsed("--workers", values.parse_integer, args.workers)
            if args.workers
            else settings.web_workers,
            threads=_parsed("--threads", values.parse_integer, args.threads),
            cores=_parsed("--cores", values.parse_integer, args.cores)
            if args.cores
            else os.cpu_count() or 1,
            greenlets=settings.gevent_greenlets,
            async_slots=settings.upstream_pool_size,
        )
        doc = read(Path(args.results))
    except (ValueError, ResultsError) as e:
        print(f"lab advise: {e}", file=sys.stderr)
        return 2
    measured = model.overheads(doc["exercises"])
    if not measured:
        print(
            f"lab advise: {args.results} has no slow-I/O phase to measure a server by: run "
            f"`lab exercise run {MEASURING} --json {args.results}` first",
            file=sys.stderr,
        )
        return 2
    print(text.render(question, model.answer(question, measured)))
    return 0
