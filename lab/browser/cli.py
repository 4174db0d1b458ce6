"""`lab browser`: load the lab's pages in headless Chromium and report what a person waits
for: TTFB (the navigation's responseStart), FCP and LCP, per server and page, optionally
under background load on the same server.

lab browser --quick
lab browser --servers wsgi --pages sync,async --samples 30 --load-rate 8
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from contracts import values
from contracts.params import MAX_REQUEST_MS, PAGE_CPU_MS, UPSTREAM_DELAY_MS
from contracts.settings import LabSettings

SERVERS = ("wsgi", "asgi")
PAGES = ("sync", "async", "async-blocking")
SAMPLES, QUICK_SAMPLES = 20, 3
MAX_SAMPLES = 1000
MAX_LOAD_RATE = 1000.0
DELAY_MS = 200


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "browser",
        help="TTFB, FCP and LCP of the lab's pages in headless Chromium",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--quick", action="store_true", help=f"{QUICK_SAMPLES} samples per page (CI, a look)"
    )
    p.add_argument("--servers", default=",".join(SERVERS), help="comma-separated: wsgi,asgi")
    p.add_argument(
        "--pages", default=",".join(PAGES), help="comma-separated: sync,async,async-blocking"
    )
    p.add_argument("--samples", help=f"page loads per server and page (default {SAMPLES})")
    p.add_argument(
        "--load-rate",
        metavar="R",
        help="background load on the same server while it measures: R requests/s of the "
        "same page (open model, as `lab load`)",
    )
    p.add_argument(
        "--delay-ms", default=str(DELAY_MS), help=f"the page's upstream delay ({DELAY_MS})"
    )
    p.add_argument("--cpu-ms", default="0", help="the page's render work (0)")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    p.add_argument(
        "--own-servers",
        action="store_true",
        help="never use a running lab: start the servers on free ports",
    )


def _names(option: str, raw: str, allowed: Sequence[str]) -> list[str]:
    names = [n.strip() for n in raw.split(",") if n.strip()]
    unknown = [n for n in names if n not in allowed]
    if not names or unknown:
        raise ValueError(f"{option} {raw!r}: choose from {','.join(allowed)}")
    return list(dict.fromkeys(names))


def _options(args: argparse.Namespace) -> dict[str, Any]:
    """The checked options; ValueError says which one is wrong."""
    samples = QUICK_SAMPLES if args.quick else SAMPLES
    if args.samples is not None:
        samples = _parsed("--samples", values.parse_integer, args.samples)
        if not 1 <= samples <= MAX_SAMPLES:
            raise ValueError(f"--samples {samples}: expected 1-{MAX_SAMPLES}")
    rate = None
    if args.load_rate is not None:
        rate = _parsed("--load-rate", values.parse_number, args.load_rate)
        if not 0 < rate <= MAX_LOAD_RATE:
            raise ValueError(f"--load-rate {rate:g}: expected a number in (0, {MAX_LOAD_RATE:g}]")
    delay, cpu = [
        _bounded(option, raw, spec)
        for option, raw, spec in (
            ("--delay-ms", args.delay_ms, UPSTREAM_DELAY_MS),
            ("--cpu-ms", args.cpu_ms, PAGE_CPU_MS),
        )
    ]
    if delay + cpu > MAX_REQUEST_MS:
        raise ValueError(f"--delay-ms + --cpu-ms: at most {MAX_REQUEST_MS} ms")
    return {
        "servers": _names("--servers", args.servers, SERVERS),
        "pages": _names("--pages", args.pages, PAGES),
        "samples": samples,
        "rate": rate,
        "delay_ms": delay,
        "cpu_ms": cpu,
    }


def _parsed[T](option: str, parse: Callable[[str], T], raw: str) -> T:
    try:
        return parse(raw)
    except ValueError as e:
        raise ValueError(f"{option}: {e}") from None


def _bounded(option: str, raw: str, spec: values.Spec) -> int:
    try:
        value = spec.parse(raw)
    except values.BadValue as e:
        raise ValueError(f"{option}: {e}") from None
    assert isinstance(value, int)
    return value


def main(args: argparse.Namespace, settings: LabSettings, env: Mapping[str, str]) -> int:
    from lab.browser import chromium

    try:
        options = _options(args)
    except ValueError as e:
        print(f"lab browser: {e}", file=sys.stderr)
        return 2
    executable = chromium.find()
    if executable is None:
        print(
            f"lab browser: no Chromium on PATH; install Debian's: {chromium.INSTALL}",
            file=sys.stderr,
        )
        return 2
    from lab.browser import run

    try:
        doc = run.measure(settings, env, executable, reuse=not args.own_servers, **options)
    except run.SetupError as e:
        print(f"lab browser: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("lab browser: interrupted; servers stopped", file=sys.stderr)
        return 130
    print(run.text(doc))
    if args.json:
        from lab.exercise import results

        results.write(Path(args.json), doc)
        print(f"results: {args.json}")
    return 0 if run.all_loaded(doc) else 1
