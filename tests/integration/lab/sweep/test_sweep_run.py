"""A very short sweep for real: both servers, a few concurrencies, one delay. The sync
server's knee is its worker × thread limit, the event loop climbs further, and the JSON has
the structure its docstring promises. Against a running lab: its server when it fits, its
upstream's configuration left as it was, after Ctrl-C too."""

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from lab_processes import kill_all, started_from
from report_browser import drawn, opened

from contracts.paths import REPO
from contracts.settings import LabSettings
from lab.runner import free_port, running, with_free_ports

pytestmark = pytest.mark.integration

USERS = (1, 2, 4, 8)
DELAY_MS = 100
W = 2  # gunicorn sync workers, one thread each: N = 2


def lab_sweep(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lab", "sweep", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env=env,
    )


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("sweep")
    out = tmp / "sweep.json"
    env = {
        **os.environ,
        "LAB_VAR_DIR": str(tmp / "var"),
        "WEB_WORKERS": str(W),
        "WEB_THREADS": "1",
        "WSGI_WORKER_CLASS": "sync",
        # No running lab on these ports: the sweep starts its own servers.
        "UPSTREAM_PORT": str(free_port()),
        "WSGI_PORT": str(free_port()),
        "ASGI_PORT": str(free_port()),
    }
    users = ",".join(map(str, USERS))
    args = ["--quick", "--users", users, "--delay-ms", str(DELAY_MS), "--min-requests", "12"]
    done = lab_sweep([*args, "-o", str(out)], env)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "the knee: " in done.stdout
    assert "[sweep] [" in done.stderr  # the progress, one line per point off a terminal
    data: dict[str, Any] = json.loads(out.read_text())
    data["_path"] = str(out)  # for the report test; not part of the document
    return data


def test_the_sweep_just_measured_renders_as_a_page_in_chromium(
    swept: dict[str, Any], chromium_binary: str, tmp_path: Path
) -> None:
    page = tmp_path / "sweep.html"
    done = subprocess.run(
        [sys.executable, "-m", "lab", "report", swept["_path"], "-o", str(page)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    with opened(page, chromium_binary) as seen:
        assert seen.console_errors == []
        assert seen.requests == [page.resolve().as_uri()]
        for server in ("wsgi", "asgi"):
            assert drawn(seen.page, f"sweep-d{DELAY_MS}-throughput-series-{server}")
            assert drawn(seen.page, f"sweep-d{DELAY_MS}-throughput-bound-{server}")
            assert drawn(seen.page, f"sweep-{server}-heatmap-series-ratio")
        assert drawn(seen.page, f"sweep-d{DELAY_MS}-throughput-knee-wsgi")


def curve(doc: dict[str, Any], server: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in doc["curves"] if c["server"] == server)
    return found


def test_the_document_has_its_format_settings_environment_and_points(
    swept: dict[str, Any],
) -> None:
    assert (swept["format"], swept["version"]) == ("asynclab-sweep-results", 1)
    assert swept["settings"]["users"] == list(USERS)
    assert swept["settings"]["delays_ms"] == [DELAY_MS]
    assert swept["settings"]["bound"] == "min(users, limit) ÷ delay"
    assert swept["environment"]["cpu_count"] == os.cpu_count()
    assert set(swept["servers"]) == {"wsgi", "asgi"}
    assert swept["servers"]["wsgi"]["limit"] == W
    assert swept["servers"]["asgi"]["limit"] is None
    assert [(c["server"], c["delay_ms"]) for c in swept["curves"]] == [
        ("wsgi", DELAY_MS),
        ("asgi", DELAY_MS),
    ]
    for c in swept["curves"]:
        assert [p["users"] for p in c["points"]] == list(USERS)
        for p in c["points"]:
            if p["status"] == "skipped":
                assert p["why"].startswith("past the knee at C=")
                continue
            assert p["errors"] == 0, p
            assert p["requests"] >= 12
            limit = swept["servers"][c["server"]]["limit"]
            assert p["bound_rps"] == pytest.approx(min(p["users"], limit or p["users"]) * 10)
            assert p["ratio"] == pytest.approx(p["throughput_rps"] / p["bound_rps"], abs=0.01)
            assert p["p50_ms"] >= DELAY_MS
            assert p["p99_ms"] >= p["p50_ms"]
            assert {"generator_cpu", "server_cpu"} <= set(p["cpu"])
            assert isinstance(p["generator_saturated"], bool)


def test_the_sync_servers_knee_is_its_worker_limit(swept: dict[str, Any]) -> None:
    knee = curve(swept, "wsgi")["knee"]
    assert knee is not None, curve(swept, "wsgi")
    assert knee["cause"] == "worker/thread limit"
    assert knee["limit"] == W
    # Past N = 2 users queue: the knee is the first concurrency above N, the last that
    # followed is at most N.
    assert knee["last_following_users"] <= W < knee["users"]
    # Little's law backwards: the best throughput × D is about the N requests held.
    assert W / 2 <= knee["served_concurrency"] <= W * 1.2


def test_the_event_loop_climbs_further(swept: dict[str, Any]) -> None:
    sync, loop = curve(swept, "wsgi"), curve(swept, "asgi")
    best_sync = max(p["throughput_rps"] for p in sync["points"] if p["status"] == "measured")
    best_loop = max(p["throughput_rps"] for p in loop["points"] if p["status"] == "measured")
    assert loop["knee"] is None or loop["knee"]["users"] > sync["knee"]["users"]
    # 8 users on the loop get several times the 2 workers' ceiling of N÷D = 20 req/s.
    assert best_loop >= 2 * best_sync, (sync, loop)


def test_ctrl_c_stops_the_servers_and_restores_the_upstream(tmp_path: Path) -> None:
    """Against a running upstream, stopped in the middle of a point: exit 130, the delay put
    back, no server of the sweep's left, and no results file. (SIGTERM and SIGHUP take the
    same way: `lab.signals.stop_raises`, tested with the exercises.)"""
    up = with_free_ports(LabSettings(lab_var_dir=str(tmp_path / "lab")), "upstream")
    var = tmp_path / "var"
    env = {**os.environ, **up.as_env(), "LAB_VAR_DIR": str(var), "WEB_WORKERS": "1"}
    env["WSGI_PORT"], env["ASGI_PORT"] = str(free_port()), str(free_port())
    out = tmp_path / "s.json"
    args = ["--servers", "asgi", "--users", "1", "--delay-ms", "300", "--min-requests", "1000"]
    with running("upstream", up) as upstream:
        before = json.loads(urllib.request.urlopen(upstream + "/config", timeout=5).read())
        with subprocess.Popen(
            [sys.executable, "-m", "lab", "sweep", *args, "--point-cap-s", "60", "-o", str(out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env=env,
        ) as proc:
            assert proc.stderr is not None
            try:
                for line in proc.stderr:
                    if "asgi D=300 ms C=1" in line:  # the point has started
                        break
                config = urllib.request.urlopen(upstream + "/config", timeout=5).read()
                assert json.loads(config)["delay_ms"] == 300
                assert [p for p in started_from(var) if p.pid != proc.pid] != []
                proc.send_signal(signal.SIGINT)
                _, err = proc.communicate(timeout=60)
            finally:
                kill_all(proc, started_from(var))
        after = json.loads(urllib.request.urlopen(upstream + "/config", timeout=5).read())
    assert proc.returncode == 130, err
    assert "lab sweep: interrupted; servers stopped, upstream restored" in err
    assert "Traceback" not in err
    assert after == before
    assert started_from(var) == []
    assert not out.exists()


def test_a_running_labs_server_is_swept_when_its_settings_match(tmp_path: Path) -> None:
    """As the exercises do: the running lab's asgi server when it runs as the sweep's
    settings say; a server of the sweep's own, saying why, when it does not. Each delay is
    set on the lab's upstream for its curve, and undone."""
    lab = with_free_ports(LabSettings(lab_var_dir=str(tmp_path / "lab")), "upstream", "asgi")
    out = tmp_path / "s.json"
    args = ["--servers", "asgi", "--users", "1", "--min-requests", "3"]
    with running("upstream", lab) as upstream, running("asgi", lab) as asgi:
        before = urllib.request.urlopen(upstream + "/config", timeout=5).read()
        env = {**os.environ, **lab.as_env(), "LAB_VAR_DIR": str(tmp_path / "var")}
        done = lab_sweep([*args, "--delay-ms", "20,40", "-o", str(out)], env)
        assert done.returncode == 0, done.stderr
        after = urllib.request.urlopen(upstream + "/config", timeout=5).read()
        assert json.loads(after) == json.loads(before)
        doc = json.loads(out.read_text())
        assert doc["servers"]["asgi"]["placement"] == f"on the running lab's asgi server ({asgi})"
        p50s = [c["points"][0]["p50_ms"] for c in doc["curves"]]
        assert 20 <= p50s[0] < 40 <= p50s[1]  # each curve had its own delay

        other = str(lab.web_workers + 1)
        done = lab_sweep([*args, "--delay-ms", "20", "-o", str(out)], {**env, "WEB_WORKERS": other})
        assert done.returncode == 0, done.stderr
        placement = json.loads(out.read_text())["servers"]["asgi"]["placement"]
        assert placement == (
            f"own asgi server: the running lab's has web_workers {lab.web_workers}, needs {other}"
        )


def test_a_configuration_by_name_runs_in_its_slot_with_its_settings(tmp_path: Path) -> None:
    """--servers takes the server configurations too: sync workers queue past N = 2,
    gevent's greenlets carry every user's wait, on the same WSGI slot."""
    out = tmp_path / "configurations.json"
    env = {
        **os.environ,
        "LAB_VAR_DIR": str(tmp_path / "var"),
        "WEB_WORKERS": str(W),
        "UPSTREAM_PORT": str(free_port()),
        "WSGI_PORT": str(free_port()),
        "ASGI_PORT": str(free_port()),
    }
    args = ["--servers", "sync,gevent", "--users", "1,4,16", "--delay-ms", str(DELAY_MS)]
    done = lab_sweep([*args, "--min-requests", "12", "-o", str(out)], env)
    assert done.returncode == 0, done.stderr + done.stdout
    doc = json.loads(out.read_text())
    assert doc["servers"]["sync"]["worker_class"] == "sync"
    assert doc["servers"]["gevent"]["worker_class"] == "gevent"
    assert doc["servers"]["gevent"]["slot"] == "wsgi"
    assert curve(doc, "sync")["knee"]["users"] == 4  # the first concurrency above N = 2
    assert curve(doc, "gevent")["knee"] is None
    best = max(p["throughput_rps"] for p in curve(doc, "gevent")["points"])
    assert best > 3 * max(p["throughput_rps"] for p in curve(doc, "sync")["points"])
    assert started_from(tmp_path / "var") == []
