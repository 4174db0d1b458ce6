"""The generator's saturation check, both ways, on `lab load` against the real upstream.

The same load twice, about a fifth of what the generator can send on this machine now:
once as it is (no warning), once CPU-starved (warned). Starved means pinned to one CPU with
a busy loop at normal priority beside it while it runs at the lowest (nice 19): it then gets
a few percent of that CPU. Its own CPU share is then low, not high, so the CPU warning cannot
see it; what must is the schedule it failed to keep.
"""

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from loadgen_lab import Lab, sample, scrape

from contracts.paths import REPO

pytestmark = pytest.mark.integration

PATH = "/slow?delay_ms=0"  # the upstream's cheapest answer: the generator is all the work
SHARE = 0.20  # of the ceiling: well inside what a generator should do without a warning
SECONDS = 4
OVERLOAD_RATE = 50_000  # far above what one generator core can start
# Warnings that say the generator fell behind its own clock, not that the server was slow.
BEHIND = ("could not keep its schedule", "started more than")


def lab_load(
    url: str, rate: float, seconds: float, out: Path, *extra: str
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "lab", "load", "--url", url, "--rate", f"{rate:.0f}",
         "--duration", f"{seconds:g}s", "--json", str(out), *extra],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def finished(proc: subprocess.Popen[str], out: Path) -> dict[str, Any]:
    output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, output
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def answered(upstream: str) -> float:
    return sample(scrape(upstream + "/metrics"), "upstream_requests_total", outcome="ok")


@contextlib.contextmanager
def busy_loop(cpu: int) -> Iterator[None]:
    """A process spinning on `cpu` at normal priority until the block ends."""
    burner = subprocess.Popen(
        [sys.executable, "-c", "while True: pass"],
        preexec_fn=lambda: os.sched_setaffinity(0, {cpu}),
    )
    try:
        yield
    finally:
        burner.kill()
        burner.wait()


def test_no_warning_at_a_fifth_of_the_ceiling_and_one_when_starved(
    lab: Lab, tmp_path: Path
) -> None:
    url = lab.upstream + PATH
    # The ceiling here and now: asked for far more than it can send, with as many requests
    # out as a closed-loop tool would keep, it sends as fast as it can.
    ceiling = finished(
        lab_load(url, OVERLOAD_RATE, 2, tmp_path / "ceiling.json", "--max-in-flight", "32"),
        tmp_path / "ceiling.json",
    )
    assert ceiling["errors"] == {}
    assert ceiling["achieved_rate"] < OVERLOAD_RATE / 2, "the premise: the rate was out of reach"
    rate = SHARE * ceiling["achieved_rate"]

    calm = finished(lab_load(url, rate, SECONDS, tmp_path / "calm.json"), tmp_path / "calm.json")
    assert calm["errors"] == {}
    assert calm["warnings"] == [], f"at {rate:.0f} req/s, a fifth of {ceiling['achieved_rate']}"

    # Starved: the same load, once it runs (its start-up at full speed, or it would take
    # most of the test), and until its schedule ends (its report is written unstarved).
    cpu = max(os.sched_getaffinity(0))
    before = answered(lab.upstream)
    proc = lab_load(url, rate, SECONDS, tmp_path / "starved.json")
    try:
        deadline = time.monotonic() + 30
        while answered(lab.upstream) == before:
            assert proc.poll() is None, "lab load ended without sending"
            assert time.monotonic() < deadline, "lab load sent nothing in 30 s"
            time.sleep(0.01)
        generator = psutil.Process(proc.pid)
        generator.cpu_affinity([cpu])
        generator.nice(19)
        with busy_loop(cpu), contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=SECONDS)
    except BaseException:
        proc.kill()  # not left running behind a failed test
        proc.wait()
        raise
    starved = finished(proc, tmp_path / "starved.json")
    assert starved["errors"] == {}
    behind = [w for w in starved["warnings"] if any(b in w for b in BEHIND)]
    assert behind, f"starved at {rate:.0f} req/s, yet no warning: {starved}"
