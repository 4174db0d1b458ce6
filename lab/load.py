"""`lab load`: open-model load at a constant (or stepped) arrival rate, with an honest report.

lab load --url http://127.0.0.1:8002/ping --rate 200 --duration 10s
lab load --url http://127.0.0.1:8001/io/sync?delay_ms=200 --stages 5:10s,10:10s,20:10s
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

from contracts.settings import LabSettings


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "load",
        help="open-model load: requests start on a clock (no coordinated omission)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--url", help="target URL (default: the ASGI server's /ping)")
    p.add_argument("--rate", help="arrival rate in requests per second (default 100)")
    p.add_argument("--duration", help="how long, e.g. 10s, 2m (default 10s)")
    p.add_argument(
        "--stages", metavar="RATE:DURATION,...", help="stepped rates instead of --rate/--duration"
    )
    p.add_argument("--timeout", default="30s", help="per-request timeout (default 30s)")
    p.add_argument(
        "--max-in-flight",
        default="10000",
        help="requests outstanding at once; arrivals beyond it are dropped (default 10000)",
    )
    p.add_argument("--json", metavar="PATH", help="also write the result as JSON")


def main(args: argparse.Namespace, settings: LabSettings) -> int:
    from loadgen.openmodel import Stage, parse_duration, parse_stages, run

    url = args.url or settings.url(settings.asgi_port) + "/ping"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        sys.exit(f"lab load: --url {url!r}: expected an http:// or https:// URL")
    try:
        if args.stages:
            if args.rate or args.duration:
                raise ValueError("give either --stages or --rate/--duration, not both")
            stages = parse_stages(args.stages)
        else:
            try:
                rate = float(args.rate or "100")
            except ValueError:
                raise ValueError(f"--rate {args.rate!r}: expected a number") from None
            stages = [Stage(rate, parse_duration(args.duration or "10s"))]
        timeout = parse_duration(args.timeout)
        if not 0 < timeout <= 600:
            raise ValueError(f"--timeout {args.timeout!r}: expected (0, 600] seconds")
        if not args.max_in_flight.isdigit() or not 1 <= int(args.max_in_flight) <= 1_000_000:
            raise ValueError(f"--max-in-flight {args.max_in_flight!r}: expected 1-1000000")
    except ValueError as e:
        sys.exit(f"lab load: {e}")

    result = run(url, stages, timeout_s=timeout, max_in_flight=int(args.max_in_flight))
    print(result.report())
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result.as_dict(), indent=2) + "\n")
    return 0
