"""An open-model (arrival-rate) load generator: requests start on a clock, not when the
previous one finishes, so a slow server cannot slow the load down (no coordinated omission).

    from loadgen.openmodel import Stage, run
    result = run("http://127.0.0.1:8002/ping", [Stage(rate=200, duration_s=10)])
    print(result.report())
"""

from loadgen.openmodel.generator import run, run_async, run_each
from loadgen.openmodel.result import Result
from loadgen.openmodel.schedule import Stage, parse_duration, parse_stages

__all__ = ["Result", "Stage", "parse_duration", "parse_stages", "run", "run_async", "run_each"]
