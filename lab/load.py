"""`lab load`: open-model load at a constant (or stepped) arrival rate, with an honest report.

lab load --url http://127.0.0.1:8002/ping --rate 200 --duration 10s
lab load --url http://127.0.0.1:8001/io/sync?delay_ms=200 --stages 5:10s,10:10s,20:10s
lab load --target both --path '/io/async?delay_ms=200' --rate 20 --duration 5s
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from contracts import values
from contracts.settings import DEFAULT_MAX_IN_FLIGHT, MAX_TIMEOUT_S, LabSettings

SERVERS = ("asgi", "wsgi")
TARGETS = (*SERVERS, "both")


def _given(value: str | None, default: str) -> str:
    # An option given empty is an error, not the default.
    return default if value is None else value


def _parsed[T](option: str, parse: Callable[[str], T], raw: str) -> T:
    try:
        return parse(raw)
    except ValueError as e:
        raise ValueError(f"{option}: {e}") from None


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "load",
        help="open-model load: requests start on a clock (no coordinated omission)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--url", help="target URL (default: --path on the --target server)")
    p.add_argument(
        "--target",
        choices=TARGETS,
        help="instead of --url: the lab's asgi (default), wsgi, or both servers, each with "
        "its own schedule at the full rate at the same moment (they then share the CPU: "
        "compare CPU-bound work one server at a time)",
    )
    p.add_argument("--path", help="with --target: the path and query to request (default /ping)")
    p.add_argument("--rate", help="arrival rate in requests per second (default 100)")
    p.add_argument("--duration", help="how long, e.g. 10s, 2m (default 10s)")
    p.add_argument(
        "--stages", metavar="RATE:DURATION,...", help="stepped rates instead of --rate/--duration"
    )
    p.add_argument("--timeout", default="30s", help="per-request timeout (default 30s)")
    p.add_argument(
        "--max-in-flight",
        default=str(DEFAULT_MAX_IN_FLIGHT),
        help="requests outstanding at once; arrivals beyond it are dropped "
        f"(default {DEFAULT_MAX_IN_FLIGHT})",
    )
    p.add_argument("--json", metavar="PATH", help="also write the result as JSON")


def urls(args: argparse.Namespace, settings: LabSettings) -> dict[str, str]:
    """The URL of each schedule, by server (or "url" for --url): one, or both servers'."""
    if args.url is not None:
        if args.target is not None or args.path is not None:
            raise ValueError("give either --url or --target/--path, not both")
        parts = urlsplit(args.url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"--url {args.url!r}: expected an http:// or https:// URL")
        return {"url": args.url}
    path = _given(args.path, "/ping")
    if not path.startswith("/"):
        raise ValueError(f"--path {path!r}: expected a path starting with /")
    target = args.target or "asgi"
    ports = {"asgi": settings.asgi_port, "wsgi": settings.wsgi_port}
    servers = SERVERS if target == "both" else (target,)
    return {s: settings.url(ports[s]) + path for s in servers}


def main(args: argparse.Namespace, settings: LabSettings) -> int:
    from loadgen.openmodel import Stage, parse_stages, run_each
    from loadgen.openmodel.schedule import MAX_DURATION_S, MAX_RATE

    try:
        chosen = urls(args, settings)
        if args.stages is not None:
            if args.rate is not None or args.duration is not None:
                raise ValueError("give either --stages or --rate/--duration, not both")
            stages = parse_stages(args.stages)
        else:
            rate = _parsed("--rate", values.parse_number, _given(args.rate, "100"))
            if not 0 < rate <= MAX_RATE:
                raise ValueError(f"--rate {rate:g}: expected a number in (0, {MAX_RATE:g}]")
            duration = _parsed("--duration", values.parse_duration, _given(args.duration, "10s"))
            if not 0 < duration <= MAX_DURATION_S:
                raise ValueError(f"--duration {duration:g} s: expected (0, {MAX_DURATION_S:g}]")
            stages = [Stage(rate, duration)]
        timeout = _parsed("--timeout", values.parse_duration, args.timeout)
        if not 0 < timeout <= MAX_TIMEOUT_S:
            raise ValueError(f"--timeout {args.timeout!r}: expected (0, {MAX_TIMEOUT_S:g}] seconds")
        max_in_flight = _parsed("--max-in-flight", values.parse_integer, args.max_in_flight)
        if not 1 <= max_in_flight <= 1_000_000:
            raise ValueError(f"--max-in-flight {max_in_flight}: expected 1-1000000")
    except ValueError as e:
        sys.exit(f"lab load: {e}")

    results = run_each(chosen, stages, timeout_s=timeout, max_in_flight=max_in_flight)
    if len(results) == 1:
        (result,) = results.values()
        print(result.report())
        written = result.as_dict()
    else:
        # The generator's CPU figure in each report is the whole process's, both schedules.
        print("\n\n".join(f"== {server} ==\n{r.report()}" for server, r in results.items()))
        written = {server: r.as_dict() for server, r in results.items()}
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(written, indent=2) + "\n")
    return 0
