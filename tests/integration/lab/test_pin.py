"""LAB_PIN=on for real: `lab up` prints its plan and every process of a service, the
workers its server forks included, runs on that service's CPUs; the exercise's results
record where each part ran."""

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import psutil
import pytest
from lab_processes import started_from

from contracts.paths import REPO
from contracts.pinning import plan
from lab.runner import free_port

pytestmark = pytest.mark.integration

CPUS = sorted(os.sched_getaffinity(0))
needs_two = pytest.mark.skipif(len(CPUS) < 2, reason="pinning apart needs two CPUs")


def healthz_pid(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as r:
        pid: int = json.loads(r.read())["process"]["pid"]
        return pid


@needs_two
def test_lab_up_pins_each_service_and_its_workers(tmp_path: Path) -> None:
    ports = {"UPSTREAM_PORT": free_port(), "ASGI_PORT": free_port()}
    env = {**os.environ, "LAB_VAR_DIR": str(tmp_path), "LAB_PIN": "on"}
    env.update({k: str(v) for k, v in ports.items()})
    env.pop("UPSTREAM_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "lab", "up", "--only", "upstream,asgi"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=REPO,
    )
    expected = plan(CPUS)
    try:
        assert proc.stdout is not None
        seen = []
        for line in proc.stdout:
            seen.append(line)
            if "Press Ctrl-C" in line:
                break
        out = "".join(seen)
        assert f"lab up: {expected.describe()}" in out, out
        worker = psutil.Process(healthz_pid(ports["ASGI_PORT"]))
        # The worker that answered was forked by the server after it was pinned.
        assert worker.cpu_affinity() == list(expected.cpus["servers"])
        server = worker.parent()
        assert server is not None
        assert server.cpu_affinity() == list(expected.cpus["servers"])
        upstream = [
            p
            for p in psutil.Process(proc.pid).children(recursive=True)
            if "slow_upstream.app:app" in " ".join(p.cmdline())
        ]
        assert upstream
        assert upstream[0].cpu_affinity() == list(expected.cpus["upstream"])
    finally:
        proc.terminate()
        proc.communicate(timeout=60)


@needs_two
def test_an_exercise_run_pinned_records_where_each_part_ran(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    var = tmp_path / "var"
    done = subprocess.run(
        [sys.executable, "-m", "lab", "exercise", "run", "sync-to-async", "--short",
         "--own-servers", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=REPO,
        env={**os.environ, "LAB_VAR_DIR": str(var), "LAB_PIN": "on"},
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stdout + done.stderr
    expected = plan(CPUS)
    assert f"lab exercise run: {expected.describe()}" in done.stdout
    placement = json.loads(out.read_text())["environment"]["placement"]
    assert placement == expected.as_dict()
    assert placement["apart"] is True
    assert started_from(var) == []
