"""Locust against a real lab, always in subprocesses (importing locust would monkey-patch
this test process for gevent)."""

import contextlib
import dataclasses
import json
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from loadgen_lab import Lab, sample, scrape

from contracts.paths import REPO
from lab import runner
from loadgen.rounding import NOTE

pytestmark = pytest.mark.integration

LOCUSTFILES = "loadgen/locustfiles/slow_io.py,loadgen/locustfiles/mixed_workload.py"


def locust(*args: str) -> list[str]:
    return [sys.executable, "-m", "locust", *args]


@contextlib.contextmanager
def process(argv: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(
            argv, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield proc
        finally:
            runner.stop(proc)


def test_headless_run_reports_each_scenario_without_failures(lab: Lab, tmp_path: Path) -> None:
    argv = locust(
        "-f", LOCUSTFILES, "IoAsyncUser", "PingBystanderUser",
        "--headless", "-u", "5", "-r", "5", "-t", "5s", "--only-summary",
        "--target", "asgi", "--asgi-url", lab.asgi, "--delay-ms", "50",
        "--json-file", str(tmp_path / "stats"),  # Locust appends .json
        "--csv", str(tmp_path / "run"),
        "--html", str(tmp_path / "report.html"),
    )  # fmt: skip
    r = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr[-3000:]

    stats = {s["name"]: s for s in json.loads((tmp_path / "stats.json").read_text())}
    assert set(stats) == {"/io/async", "/ping"}
    assert all(s["num_failures"] == 0 for s in stats.values())
    # 4 closed-loop users on a ~50 ms view for ~5 s: far more than a handful of requests.
    assert stats["/io/async"]["num_requests"] > 40
    # The bystander paces itself at 10/s: about 50 in 5 s, never hundreds.
    assert 20 <= stats["/ping"]["num_requests"] <= 80
    assert "/io/async" in (tmp_path / "run_stats.csv").read_text()
    assert NOTE in (tmp_path / "report.html").read_text()
    assert "Locust percentiles are rounded" in r.stderr


def test_distributed_master_delivers_its_users_through_two_workers(
    lab: Lab, tmp_path: Path
) -> None:
    settings = dataclasses.replace(
        lab.settings, locust_workers=2, locust_master_port=runner.free_port()
    )
    web = settings.url(settings.locust_web_port)
    master = locust(
        "-f", "loadgen/locustfiles/slow_io.py", "IoAsyncUser",
        "--master", "--master-bind-host", "127.0.0.1",
        "--master-bind-port", str(settings.locust_master_port),
        "--web-host", "127.0.0.1", "--web-port", str(settings.locust_web_port),
        "--autostart", "-u", "6", "-r", "6", "--expect-workers", "2",
        "--target", "asgi", "--asgi-url", lab.asgi, "--delay-ms", "100",
    )  # fmt: skip
    with process(master, tmp_path / "master.log") as proc:
        # The workers run exactly as `lab up` starts them.
        workers = [runner.start("locust-worker", settings, subprocess.DEVNULL) for _ in "12"]
        try:
            runner.wait_healthy(web + "/", proc)
            deadline, text = time.monotonic() + 40, ""
            while time.monotonic() < deadline:
                text = scrape(web + "/metrics")
                served = sample(text, "locust_requests_total", name="/io/async")
                if sample(text, "locust_users") == 6 and served >= 20:
                    break
                time.sleep(0.5)
            assert sample(text, "locust_workers") == 2, text
            assert sample(text, "locust_users", user_class="IoAsyncUser") == 6, text
            assert sample(text, "locust_requests_total", name="/io/async") >= 20, text
            assert sample(text, "locust_failures_total", name="/io/async") == 0, text
            assert 'locust_cpu_percent{node="worker-1"}' in text
        finally:
            for w in workers:
                runner.stop(w)


@pytest.fixture(scope="module")
def web_ui(lab: Lab) -> Iterator[str]:
    """The web UI exactly as `lab serve locust` starts it, not started by any test."""
    with runner.running("locust", lab.settings) as url:
        yield url


def test_web_ui_service_offers_the_lab_parameters_and_metrics(web_ui: str) -> None:
    page = scrape(web_ui + "/")
    metrics = scrape(web_ui + "/metrics")
    for name in ("target", "delay_ms", "cpu_ms", "StepsShape", "SpikeShape", "IoSyncUser"):
        assert name in page, name
    assert 'locust_runner_state{state="ready",target="asgi"} 1.0' in metrics


def test_web_ui_page_and_downloaded_report_state_the_rounding(web_ui: str) -> None:
    for path in ("/", "/stats/report", "/stats/report?download=1&theme=light"):
        page = scrape(web_ui + path)
        assert page.count(NOTE) == 1, path
        # At the top of the body, not inside the page's data or code in <head>.
        assert page.index("</head>") < page.index(NOTE), path
    # Locust's CSV stays machine-readable: no prose in it.
    assert NOTE not in scrape(web_ui + "/stats/requests/csv")


def test_web_ui_refuses_to_start_with_a_knob_the_servers_reject(web_ui: str) -> None:
    form = {
        "user_count": "1",
        "spawn_rate": "1",
        "host": "",
        "user_classes": "IoAsyncUser",
        "fanout_n": "100",
        "delay_ms": "200",
    }
    req = urllib.request.Request(web_ui + "/swarm", data=urllib.parse.urlencode(form).encode())
    with urllib.request.urlopen(req, timeout=10) as r:
        answer = json.loads(r.read())
    assert answer["success"] is False
    assert "fanout_n: must be between 1 and 50" in answer["message"]
    assert 'locust_runner_state{state="ready",target="asgi"} 1.0' in scrape(web_ui + "/metrics")


def test_headless_run_with_a_knob_out_of_bounds_fails_before_loading() -> None:
    argv = locust(
        "-f", "loadgen/locustfiles/fanout.py", "--headless", "-u", "1", "-t", "5s",
        "--fanout-n", "100", "--asgi-url", "http://127.0.0.1:9",
    )  # fmt: skip
    r = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert r.stderr.strip().splitlines()[-1] == (
        "locust: fanout_n: must be between 1 and 50, got 100 (the Django app's limits)"
    )
