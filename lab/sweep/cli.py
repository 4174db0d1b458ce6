"""`lab sweep [--quick] [--servers wsgi,asgi] [--users 1,5,10] [--delay-ms 50,200]
[--min-requests N] [--point-cap-s S] [--own-servers] -o sweep.json`

Maps server × concurrency (closed-loop users) × upstream delay: each point runs until
--min-requests have answered (and every user three times), at most --point-cap-s seconds;
each curve climbs its users only until its knee is passed. Prints a table per curve and
writes the JSON (lab/sweep/results.py). Exit status: 0 done, 2 usage or set-up error, 130
interrupted (servers stopped, the upstream's configuration restored).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from contracts.settings import LabSettings
from lab import machine_cpu, signals

if TYPE_CHECKING:
    from lab.sweep.grid import Grid


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "sweep",
        help="map server × concurrency × upstream delay, and find each curve's knee",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("-o", "--output", required=True, metavar="PATH", help="the JSON to write")
    p.add_argument(
        "--quick", action="store_true", help="a smaller grid: about a minute (default ≤ 10)"
    )
    p.add_argument("--servers", metavar="LIST", help="of wsgi, asgi (default both)")
    p.add_argument("--users", metavar="LIST", help="closed-loop users, e.g. 1,5,10,50")
    p.add_argument("--delay-ms", metavar="LIST", help="upstream delays in ms, e.g. 50,200")
    p.add_argument("--min-requests", metavar="N", help="answers each point waits for")
    p.add_argument("--point-cap-s", metavar="S", help="at most this long a point (reported)")
    p.add_argument(
        "--own-servers",
        action="store_true",
        help="never measure a running lab: start the servers on free ports",
    )


def main(args: argparse.Namespace, settings: LabSettings, env: Mapping[str, str]) -> int:
    from lab.sweep import grid as grids
    from lab.sweep import results

    try:
        grid = grids.build(
            quick=args.quick,
            servers_raw=args.servers,
            users_raw=args.users,
            delays_raw=args.delay_ms,
            min_requests_raw=args.min_requests,
            point_cap_raw=args.point_cap_s,
        )
    except grids.GridError as e:
        print(f"lab sweep: {e}", file=sys.stderr)
        return 2
    output = Path(args.output)
    try:
        results.check_writable(output)
    except OSError as e:
        print(f"lab sweep: -o {output}: cannot write there ({_why(e)})", file=sys.stderr)
        return 2
    return _run(grid, settings, env, output, quick=args.quick, reuse=not args.own_servers)


def _why(e: OSError) -> str:
    return e.strerror or str(e)


def _run(
    grid: Grid,
    settings: LabSettings,
    env: Mapping[str, str],
    output: Path,
    *,
    quick: bool,
    reuse: bool,
) -> int:
    from lab import pin
    from lab.exercise import apparatus
    from lab.exercise.engine import SetupError
    from lab.exercise.results import environment
    from lab.sweep import results, table
    from lab.sweep.progress import Bar
    from lab.sweep.run import run

    bar = Bar()
    started = time.time()
    env_facts = environment()
    # Where the parts ran (LAB_PIN): this process is the load generator, pinned before it
    # starts a server, as `lab exercise run` does.
    env_facts["placement"] = pin.placement(settings)
    pinned = pin.pin_generator(settings)
    if pinned:
        print(f"lab sweep: {pinned}")
    cpu_at_start = machine_cpu.cpu_ticks()
    try:
        with signals.stop_raises():
            measured = run(grid, settings, env=env, reuse=reuse, tick=bar.update)
    except SetupError as e:
        bar.done()
        print(f"lab sweep: {e}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, signals.Stop):
        bar.done()
        print("lab sweep: interrupted; servers stopped, upstream restored", file=sys.stderr)
        return 130
    bar.done()
    steal = apparatus.steal_fraction(cpu_at_start, machine_cpu.cpu_ticks())
    env_facts["cpu_steal_during_run"] = None if steal is None else round(steal, 4)
    doc = results.document(
        grid, measured, quick=quick, started_at=started, finished_at=time.time(), env=env_facts
    )
    print(table.text(doc))
    try:
        results.write(output, doc)
    except OSError as e:
        print(f"lab sweep: -o {output}: cannot write there ({_why(e)})", file=sys.stderr)
        return 2
    print(f"wrote {output} in {time.time() - started:.0f} s")
    return 0
