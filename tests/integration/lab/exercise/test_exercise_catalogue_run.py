"""The catalogue's exercises beyond the seed table, measured for real in one `lab exercise run
A B ... --short --json` call: every rule holds and each row gets its expected verdict."""

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from lab_processes import started_from

from contracts.paths import REPO
from contracts.settings import LabSettings
from contracts.topology import GRAFANA
from lab.report import offline

pytestmark = pytest.mark.integration

# Each exercise and its rows' verdicts, in phase order.
EXPECTED = {
    "blocking-in-async": ["Bad", "Good"],
    "sync-to-async": ["Serial", "Parallel"],
    "fanout": ["OK", "Good"],
    "http-client": ["Good", "Good"],
    "faults": ["Bad", "Good"],
    "tail-latency": ["OK", "OK"],
    "streaming": ["Bad", "Bad", "Good"],
    "sync-under-asgi": ["Good", "Bad"],
    "sync-middleware": ["Good", "OK", "Bad"],
    "cpu-chunks": ["Bad", "OK", "OK"],
    "gthread": ["Good", "Good", "Bad", "Good"],
    "green-threads": ["Bad", "Good", "Bad"],
    "little": ["Follows", "Follows", "Capped", "Follows", "Follows", "Above W÷D", "Above W÷D"],
    "async-orm": ["Holds", "Holds", "Holds", "Holds", "Frees"],
    "slow-clients": ["Bad", "Good", "Good", "Good"],
    "cancellation": ["Bad", "Good"],
    "page-load": ["Bad", "Good"],
    "threads-vs-coroutines": [
        *("Threads", "Threads", "Coroutines"),  # 100 waits: gthread, uvicorn, lean uvicorn
        *("Threads", "Threads", "Coroutines"),  # 500 waits
    ],
    # Slow I/O, CPU work and /ping alone on each configuration: gunicorn sync, gthread,
    # gevent, granian WSGI, uvicorn, granian ASGI.
    "servers": [
        *("Capped", "Blocks", "Measured"),
        *("Capped", "Shares", "Measured"),
        *("Follows", "Blocks", "Measured"),
        *("Capped", "Shares", "Measured"),
        *("Follows", "Blocks", "Measured"),
        *("Follows", "Blocks", "Measured"),
    ],
}


def allowed_links(page: str) -> list[str]:
    """The page's links to the lab's Grafana: followed by hand, never loaded."""
    grafana = GRAFANA.url(LabSettings.from_env())
    hrefs = [html.unescape(u) for u in re.findall(r'<a href="([^"]+)"', page)]
    return [u for u in hrefs if u.startswith(grafana + "/")]


# A short run takes up to about a minute an exercise (little's seven phases): together they
# can pass pytest's default 300 s, so the run's own timeout is the one that counts.
@pytest.mark.timeout(60 * len(EXPECTED) + 30)
def test_the_catalogue_short_runs_give_the_expected_verdicts(tmp_path: Path) -> None:
    var = tmp_path / "var"
    out = tmp_path / "results.json"
    report = tmp_path / "report.html"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "lab",
            "exercise",
            "run",
            *EXPECTED,
            "--short",
            "--json",
            out,
            "--report",
            report,
        ],
        capture_output=True,
        text=True,
        timeout=60 * len(EXPECTED),
        cwd=REPO,
        env={**os.environ, "LAB_VAR_DIR": str(var)},
    )

    assert done.returncode == 0, done.stdout + done.stderr
    # The whole catalogue's report: one self-contained page, under 2 MB, nothing fetched.
    page = report.read_text()
    assert len(page.encode()) < 2_000_000
    assert offline.problems(page, allowed_links(page)) == []
    data = json.loads(out.read_text())
    ran = {e["name"]: e for e in data["exercises"]}
    assert list(ran) == list(EXPECTED)
    for name, verdicts in EXPECTED.items():
        exercise = ran[name]
        failed = [v for v in exercise["verdicts"] if not v["holds"]]
        assert exercise["outcome"] == "as expected", (name, failed)
        assert [p["verdict"] for p in exercise["phases"]] == verdicts, name
    # The hung upstream fails the main load, by design, and never the bystander.
    for phase in ran["faults"]["phases"]:
        assert set(phase["client"]["errors"]) == {"HTTP 504"}, phase["client"]["errors"]
        assert phase["probe"]["errors"] == {}
    # Every phase says whether a proxy stood in front; only slow-clients' last two had one.
    proxies = {
        (name, phase["name"]): phase["settings"]["proxy"]
        for name, exercise in ran.items()
        for phase in exercise["phases"]
    }
    assert {k for k, v in proxies.items() if v != "off"} == {
        ("slow-clients", "proxy-idle"),
        ("slow-clients", "proxy-trickle"),
    }
    # Clients that give up do so by their own timeout, never by an error of the servers.
    for phase in ran["cancellation"]["phases"]:
        assert set(phase["client"]["errors"]) == {"timeout"}, phase["client"]["errors"]
    assert started_from(var) == []
