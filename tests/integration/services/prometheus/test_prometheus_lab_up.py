"""`lab up` starts Prometheus with the local configuration and prints its URL."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from lab.runner import free_port

pytestmark = [pytest.mark.integration, pytest.mark.prometheus]


def test_lab_up_runs_prometheus_scraping_the_local_services(
    prometheus_binary: str, tmp_path: Path
) -> None:
    # Every service on a free port, the ones not started too: a lab already running on the
    # default ports (`make up`) must not answer for them.
    names = ("UPSTREAM", "WSGI", "ASGI", "LOCUST_WEB", "PROMETHEUS")
    ports = {f"{name}_PORT": free_port() for name in names}
    env = {**os.environ, "LAB_VAR_DIR": str(tmp_path), **{k: str(v) for k, v in ports.items()}}
    env["UPSTREAM_URL"] = f"http://127.0.0.1:{ports['UPSTREAM_PORT']}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "lab", "up", "--only", "upstream,prometheus"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    prom = f"http://127.0.0.1:{ports['PROMETHEUS_PORT']}"
    try:
        assert proc.stdout is not None
        seen = []
        for line in proc.stdout:
            seen.append(line)
            if "Press Ctrl-C" in line:
                break
        out = "".join(seen)
        assert f"prometheus  {prom}" in out, out
        # The upstream target is scraped within a few 2 s intervals.
        deadline = time.monotonic() + 30
        health: dict[str, str] = {}
        while time.monotonic() < deadline:
            with urllib.request.urlopen(prom + "/api/v1/targets", timeout=5) as r:
                active = json.load(r)["data"]["activeTargets"]
            health = {t["labels"]["service"]: t["health"] for t in active}
            if health.get("upstream") == "up" and health.get("prometheus") == "up":
                break
            time.sleep(1)
        assert health["upstream"] == "up", health
        assert health["prometheus"] == "up", health
        # Not started here: configured, and reported down.
        assert health["wsgi"] in ("down", "unknown")
        with urllib.request.urlopen(prom + "/api/v1/rules", timeout=5) as r:
            groups = {g["name"] for g in json.load(r)["data"]["groups"]}
        assert groups == {"lab_red", "lab_capacity"}
        assert (tmp_path / "prometheus-server" / "prometheus.yml").is_file()
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0, rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
