"""Every locustfile and every shape, run headless for a few seconds against a real lab: the
scenarios send the requests they claim, the servers accept them, and the shapes move the user
count. Locust runs in a subprocess (importing it would monkey-patch this process)."""

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from loadgen_lab import Lab

from contracts.paths import REPO

pytestmark = pytest.mark.integration

IO_NAMES = {
    "/io/sync",
    "/io/async",
    "/io/async-blocking",
    "/io/sync-to-async?thread_sensitive=1",
    "/io/sync-to-async?thread_sensitive=0",
}

# locustfile -> (users: one per class, request names it must report)
SCENARIOS = {
    "slow_io": (5, IO_NAMES),
    "cpu_bound": (3, {"/cpu/sync", "/cpu/async", "/cpu/async-offload"}),
    "slow_db": (2, {"/db/sync", "/db/async"}),
    "fanout": (2, {"/fanout/sync", "/fanout/async"}),
    "sse_stream": (1, {"/stream/async"}),
    "mixed_workload": (3, {"/io/async", "/cpu/async", "/db/async", "/fanout/async", "/ping"}),
}
# Small knobs: a short run still sends many requests, and the 2 shared cores stay idle enough.
KNOBS: tuple[str, ...] = ("--delay-ms", "20", "--cpu-ms", "5", "--fanout-n", "2")
KNOBS += ("--stream-events", "3", "--stream-interval-ms", "10")


def run_locust(lab: Lab, tmp_path: Path, locustfiles: str, *args: str) -> None:
    argv = [
        sys.executable, "-m", "locust", "-f", locustfiles, "--headless", "--only-summary",
        "--target", "asgi", "--asgi-url", lab.asgi, *KNOBS,
        "--json-file", str(tmp_path / "stats"), "--csv", str(tmp_path / "run"), *args,
    ]  # fmt: skip
    r = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=90)
    assert r.returncode == 0, r.stderr[-3000:]


@pytest.mark.parametrize("locustfile", SCENARIOS)
def test_locustfile_sends_its_requests_without_failures(
    lab: Lab, tmp_path: Path, locustfile: str
) -> None:
    users, names = SCENARIOS[locustfile]
    run_locust(
        lab, tmp_path, f"loadgen/locustfiles/{locustfile}.py", "-u", str(users), "-r", str(users),
        "-t", "3s",
    )  # fmt: skip
    stats = {s["name"]: s for s in json.loads((tmp_path / "stats.json").read_text())}
    assert set(stats) == names
    for name, s in stats.items():
        assert s["num_requests"] > 0, name
        assert s["num_failures"] == 0, (name, s)
    # The run lasted its -t: the seconds Locust spends importing the locustfiles do not count.
    span = max(s["last_request_timestamp"] for s in stats.values()) - min(
        s["start_time"] for s in stats.values()
    )
    assert span >= 2.5, span


def user_counts(tmp_path: Path) -> list[int]:
    """The user count Locust recorded each second (its stats history, Aggregated row), from
    the first user on (its first row can predate the first spawn)."""
    with (tmp_path / "run_stats_history.csv").open() as f:
        rows = [r for r in csv.DictReader(f) if r["Name"] == "Aggregated"]
    counts = [int(r["User Count"]) for r in rows]
    while counts and counts[0] == 0:
        counts.pop(0)
    return counts


def run_shape(lab: Lab, tmp_path: Path, shape: str, peak: int, seconds: int) -> list[int]:
    run_locust(
        lab, tmp_path, f"loadgen/locustfiles/slow_io.py,loadgen/shapes/{shape}_shape.py",
        "IoAsyncUser", "-u", str(peak), "-t", f"{seconds}s", "--csv-full-history",
    )  # fmt: skip
    return user_counts(tmp_path)


def test_steps_shape_climbs_stair_by_stair(lab: Lab, tmp_path: Path) -> None:
    counts = run_shape(lab, tmp_path, "steps", peak=5, seconds=8)
    assert counts == sorted(counts), counts  # never goes down
    assert counts[0] <= 2, counts
    assert max(counts) == 5, counts
    assert len(set(counts)) >= 3, counts  # stairs, not a jump


def test_ramp_shape_climbs_to_the_peak(lab: Lab, tmp_path: Path) -> None:
    counts = run_shape(lab, tmp_path, "ramp", peak=6, seconds=6)
    assert counts == sorted(counts), counts
    assert counts[0] <= 3, counts
    assert max(counts) == 6, counts


def test_spike_shape_goes_up_and_back_down(lab: Lab, tmp_path: Path) -> None:
    counts = run_shape(lab, tmp_path, "spike", peak=5, seconds=10)
    top = counts.index(max(counts))
    assert max(counts) == 5, counts
    assert counts[0] == counts[-1] == 1, counts  # the baseline before and after
    assert 0 < top < len(counts) - 1, counts


def run_service_config(lab: Lab, tmp_path: Path, *args: str) -> str:
    """A headless run loading what `lab serve locust` loads (every locustfile and shape); its
    log."""
    log = tmp_path / f"locust{len(list(tmp_path.glob('locust*.log')))}.log"
    run_locust(
        lab, tmp_path, "loadgen/locustfiles,loadgen/shapes", "IoAsyncUser", "-u", "3", "-r", "3",
        "-t", "2s", "--logfile", str(log), *args,
    )  # fmt: skip
    return log.read_text()


def test_with_several_shapes_loaded_the_shape_is_chosen_or_named(lab: Lab, tmp_path: Path) -> None:
    log = run_service_config(lab, tmp_path)
    # Which one depends on Locust's loading order: the warning names it.
    assert re.search(r"Locust applies (Ramp|Spike|Steps)Shape\. Set --shape \(LOCUST_SHAPE\)", log)
    assert "Shape test starting" in log

    log = run_service_config(lab, tmp_path, "--shape", "none")
    # Constant users, as asked, instead of the shape Locust would have picked.
    assert "Shape test" not in log
    assert 'All users spawned: {"IoAsyncUser": 3} (3 total users)' in log


def test_an_unknown_shape_is_refused() -> None:
    argv = [
        sys.executable, "-m", "locust", "-f", "loadgen/locustfiles/slow_io.py,loadgen/shapes",
        "--headless", "--shape", "Zigzag", "--asgi-url", "http://127.0.0.1:9",
    ]  # fmt: skip
    r = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert r.stderr.strip().splitlines()[-1] == (
        "locust: --shape Zigzag: expected one of none, RampShape, SpikeShape, StepsShape"
    )
