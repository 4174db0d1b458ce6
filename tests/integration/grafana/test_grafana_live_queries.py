"""Every dashboard query against a real Prometheus scraping a real lab under a short load.

Grafana itself does not run here; what it would show is what these queries return. The lab
runs exactly as `lab up` starts it (upstream, both Django servers, Prometheus via
`lab serve prometheus` with the local configuration and the recording rules), on free
ports, plus Locust (web UI with /metrics) and a small bounded request loop for WSGI. A short
`lab exercise run`, scraped by that Prometheus, gives the phase annotation its phases.
"""

import contextlib
import dataclasses
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

import pytest
from dashboard_queries import BUILT_INS, Query, queries, substitute, variables

from contracts import topology
from contracts.paths import REPO
from contracts.settings import LabSettings
from exercises.blocking_in_async import EXERCISE
from grafana.generate import DASHBOARDS
from grafana.panels import Json
from lab import runner
from lab.runner import running, with_free_ports

pytestmark = [pytest.mark.integration, pytest.mark.prometheus]

SERVICES = ("upstream", "wsgi", "asgi", "locust", "prometheus")
SCRAPE_ONLY = {t.name for t in topology.SCRAPE_ONLY}
# Panels with series only while a gevent worker serves (the lab here runs sync workers):
# they say so instead of "No data", and the last test checks them against a gevent server.
GEVENT_ONLY = {"gevent hub lag (WSGI)"}


def get(url: str, timeout: float = 10) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as r:
        body: bytes = r.read()
        return body


def api(prom: str, path: str, **params: str) -> object:
    body = json.loads(get(f"{prom}/api/v1/{path}?{urllib.parse.urlencode(params)}"))
    assert body["status"] == "success", body
    return body["data"]


class Sample(TypedDict):
    """One series of an instant query's answer."""

    metric: dict[str, str]  # its labels
    value: list[float | str]  # [unix time, the value as text]


def query(prom: str, expr: str) -> list[Sample]:
    data = api(prom, "query", query=expr)
    assert isinstance(data, dict)
    result: list[Sample] = data["result"]
    return result


SCRAPE_INTERVAL_S = 2  # the datasource's, and so the step Grafana would ask for


def seconds(duration: str) -> int:
    """A Grafana duration such as `15m`, in seconds."""
    return int(duration[:-1]) * {"s": 1, "m": 60, "h": 3600}[duration[-1]]


def query_range(prom: str, expr: str) -> list[dict[str, object]]:
    """The series of a range query over the dashboard's default time range."""
    end = time.time()
    start = end - seconds(BUILT_INS["__range"])
    params = {"query": expr, "start": str(start), "end": str(end), "step": str(SCRAPE_INTERVAL_S)}
    data = api(prom, "query_range", **params)
    assert isinstance(data, dict)
    result: list[dict[str, object]] = data["result"]
    return result


def answers(prom: str, q: Query, expr: str) -> bool:
    """Whether Grafana would draw something for the query. An annotation is asked over the
    dashboard's time range (a range query) and marks wherever it had a value, so a phase
    that ended minutes ago still shows; a panel's query here is asked for now."""
    if q.is_annotation:
        return bool(query_range(prom, expr))
    return bool(query(prom, expr))


@contextlib.contextmanager
def locust(
    settings: LabSettings, urls: dict[str, str], log: Path, target: str = "asgi"
) -> Iterator[str]:
    """Locust's web UI (and its /metrics) with a small closed-loop load on `target`."""
    argv = [
        sys.executable, "-m", "locust",
        "-f", "loadgen/locustfiles/slow_io.py,loadgen/locustfiles/mixed_workload.py",
        "IoAsyncUser", "PingBystanderUser",
        "--autostart", "-u", "4", "-r", "4", "-t", "120s",
        "--web-host", "127.0.0.1", "--web-port", str(settings.locust_web_port),
        "--target", target, "--asgi-url", urls["asgi"], "--wsgi-url", urls["wsgi"],
        "--delay-ms", "20",
    ]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(
            argv, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            web = settings.url(settings.locust_web_port)
            runner.wait_healthy(web + "/metrics", proc, timeout=30)
            yield web
        finally:
            runner.stop(proc)


@contextlib.contextmanager
def request_loop(urls: list[str], threads: int = 2, seconds: float = 120) -> Iterator[None]:
    """`threads` threads requesting `urls` in turn, one request at a time each, until the
    block ends (at most `seconds`)."""
    stop = threading.Event()
    deadline = time.monotonic() + seconds

    def loop(offset: int) -> None:
        i = offset
        while not stop.is_set() and time.monotonic() < deadline:
            with contextlib.suppress(urllib.error.URLError, TimeoutError, ConnectionError):
                get(urls[i % len(urls)], timeout=10)
            i += 1

    started = [threading.Thread(target=loop, args=(n,), daemon=True) for n in range(threads)]
    for t in started:
        t.start()
    try:
        yield
    finally:
        stop.set()
        for t in started:
            t.join(timeout=15)


def variable_values(prom: str, d: Json) -> dict[str, list[str]]:
    """Each variable's values as Grafana would list them (`label_values`)."""
    values = {}
    for name, (selector, label) in variables(d).items():
        series = api(prom, "series", **{"match[]": selector})
        assert isinstance(series, list)
        found = sorted({s[label] for s in series if label in s})
        assert found, f"{d['title']}: variable {name} has no values ({selector})"
        values[name] = found
    return values


PROMQL_BLOCK = re.compile(r"^```promql\n(.*?)^```", re.MULTILINE | re.DOTALL)


def doc_queries() -> list[tuple[str, str]]:
    """(file, expression) of every ```promql block in the README and docs/."""
    found = []
    for path in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        for match in PROMQL_BLOCK.finditer(path.read_text()):
            found.append((path.name, match[1].strip()))
    return found


def test_the_docs_have_promql_to_check() -> None:
    assert doc_queries(), "no ```promql block found in the docs"


def empty_queries(prom: str) -> list[str]:
    empty = [f"{file}: {expr}" for file, expr in doc_queries() if not query(prom, expr)]
    for build in DASHBOARDS.values():
        d = build()
        try:
            values = variable_values(prom, d)
        except AssertionError as e:
            empty.append(str(e))
            continue
        for q in queries(d):
            if q.panel in GEVENT_ONLY:
                continue
            if not answers(prom, q, substitute(q.expr, values)):
                empty.append(f"{q.dashboard} / {q.panel}: {q.expr}")
    return empty


@dataclass(frozen=True)
class Lab:
    settings: LabSettings
    urls: dict[str, str]
    logs: Path

    @property
    def prom(self) -> str:
        return self.urls["prometheus"]


@pytest.fixture(scope="module")
def lab(prometheus_binary: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """Upstream, both Django servers and Prometheus, as `lab up` runs them, on free ports."""
    tmp = tmp_path_factory.mktemp("lab")
    settings = with_free_ports(LabSettings(lab_var_dir=str(tmp)), *SERVICES)
    settings = dataclasses.replace(settings, exercise_metrics_port=runner.free_port())
    logs = tmp / "logs"
    logs.mkdir()
    with contextlib.ExitStack() as stack:
        urls = {}
        for name in ("upstream", "wsgi", "asgi", "prometheus"):
            out = stack.enter_context((logs / f"{name}.log").open("wb"))
            urls[name] = stack.enter_context(running(name, settings, output=out))
        yield Lab(settings, urls, logs)


def top_rows(d: Json, count: int) -> list[Json]:
    """The panels under the dashboard's first `count` row headers."""
    found, rows = [], 0
    for panel in d["panels"]:
        if panel["type"] == "row":
            rows += 1
            if rows > count:
                break
        elif rows:
            found.append(panel)
    return found


def servers_answering(prom: str, panel: Json) -> set[str]:
    """The servers whose series a panel's queries return now (each query as Grafana sends
    it; no panel of these rows uses a template variable)."""
    return {
        s["metric"].get("server", "")
        for t in panel.get("targets", [])
        for s in query(prom, substitute(t["expr"], {}))
    }


def missing_a_server(prom: str, panels: list[Json]) -> dict[str, set[str]]:
    """Each panel with a query but not both servers' series, and the servers it shows."""
    missing = {}
    for p in panels:
        if p.get("targets"):
            shown = servers_answering(prom, p)
            if not {"wsgi", "asgi"} <= shown:
                missing[p["title"]] = shown
    return missing


# First in the module: no earlier test's traffic is inside the rules' 30 s window or the
# tiles' range yet, so every series here comes from this run on both servers.
def test_with_both_servers_loaded_the_first_two_rows_show_both(lab: Lab) -> None:
    d = DASHBOARDS["sync-vs-async.json"]()
    # The event loop is ASGI's alone: gunicorn's sync workers have none to measure.
    checked = [p for p in top_rows(d, 2) if "event loop" not in p["title"].lower()]
    assert any(p.get("targets") for p in checked)
    with locust(lab.settings, lab.urls, lab.logs / "locust-both.log", target="both") as web:
        deadline = time.monotonic() + 90
        missing = missing_a_server(lab.prom, checked)
        while missing and time.monotonic() < deadline:
            time.sleep(2)
            missing = missing_a_server(lab.prom, checked)
        assert not missing, f"panels without both servers: {missing}"
        # Locust's own series say which server each request went to.
        loaded = {s["metric"]["target"] for s in query(lab.prom, "locust_requests_total")}
        assert {"wsgi", "asgi", "both"} <= loaded, loaded
        state = query(lab.prom, 'locust_runner_state{state=~"spawning|running"} == 1')
        assert {s["metric"]["target"] for s in state} == {"both"}
        assert "wsgi /io/async" in get(web + "/metrics").decode()


def test_lab_load_on_both_servers_runs_one_schedule_each(lab: Lab) -> None:
    out = lab.logs / "load-both.json"
    env = {
        **os.environ,
        "WSGI_PORT": str(lab.settings.wsgi_port),
        "ASGI_PORT": str(lab.settings.asgi_port),
    }
    argv = [
        sys.executable, "-m", "lab", "load", "--target", "both",
        "--path", "/io/async?delay_ms=20", "--rate", "20", "--duration", "3s",
        "--json", str(out),
    ]  # fmt: skip
    r = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "== asgi ==" in r.stdout
    assert "== wsgi ==" in r.stdout
    results = json.loads(out.read_text())
    assert set(results) == {"asgi", "wsgi"}
    for server, port in (("asgi", lab.settings.asgi_port), ("wsgi", lab.settings.wsgi_port)):
        assert f":{port}/io/async" in results[server]["url"], results[server]
        # 20/s for 3 s on each: about 60 requests, all answered by that server.
        assert results[server]["ok"] >= 40, results[server]


def phase_annotation() -> str:
    """The expression of the dashboard's "Exercise phase" annotation."""
    (expr,) = [
        q.expr
        for d in (build() for build in DASHBOARDS.values())
        for q in queries(d)
        if q.panel == "annotation: Exercise phase"
    ]
    return expr


@dataclass(frozen=True)
class ExerciseRun:
    seen: set[tuple[str, str]]  # (exercise, phase) the annotation query returned meanwhile
    returncode: int | None
    output: str
    after: list[Sample]  # what the annotation query returns once the run is over


@pytest.fixture(scope="module")
def exercise_run(lab: Lab) -> ExerciseRun:
    """`lab exercise run blocking-in-async --short` (about 20 s) serving its phase gauge on
    the port the lab's Prometheus scrapes; the annotation query is asked twice a second
    meanwhile."""
    expr = phase_annotation()
    env = {
        **os.environ,
        "LAB_VAR_DIR": str(lab.logs.parent / "exercise"),
        "EXERCISE_METRICS_PORT": str(lab.settings.exercise_metrics_port),
    }
    argv = [sys.executable, "-m", "lab", "exercise", "run", EXERCISE.name, "--short"]
    log = lab.logs / "exercise.log"
    seen = set()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            argv, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            deadline = time.monotonic() + 60
            while proc.poll() is None and time.monotonic() < deadline:
                seen |= {
                    (s["metric"]["exercise"], s["metric"]["phase"]) for s in query(lab.prom, expr)
                }
                time.sleep(0.5)
        finally:
            runner.stop(proc)
    # Gone with the run: its target is down at the next scrape, which ends the series.
    after = query(lab.prom, expr)
    deadline = time.monotonic() + 10
    while after and time.monotonic() < deadline:
        time.sleep(0.5)
        after = query(lab.prom, expr)
    return ExerciseRun(seen, proc.returncode, log.read_text(errors="replace"), after)


def test_the_phase_annotation_marks_each_phase_of_a_running_exercise(
    exercise_run: ExerciseRun,
) -> None:
    # 0 or 1: whether its rules held on this machine is the exercise's business, not this test's.
    assert exercise_run.returncode in (0, 1), exercise_run.output
    assert "cannot serve the phase gauge" not in exercise_run.output
    assert exercise_run.seen == {(EXERCISE.name, p.name) for p in EXERCISE.phases}
    assert exercise_run.after == []


def values_by_server(prom: str, expr: str) -> dict[str, float]:
    return {s["metric"]["server"]: float(s["value"][1]) for s in query(prom, expr)}


# The exercise ran first: the phase annotation has phases to mark within the time range.
@pytest.mark.usefixtures("exercise_run")
def test_every_dashboard_query_returns_series_from_a_loaded_lab(lab: Lab) -> None:
    wsgi, asgi = lab.urls["wsgi"], lab.urls["asgi"]
    wsgi_urls = ["/io/sync?delay_ms=20", "/ping", "/db/sync?delay_ms=5", "/io/async?delay_ms=20"]
    with (
        locust(lab.settings, lab.urls, lab.logs / "locust.log"),
        request_loop([wsgi + u for u in wsgi_urls] + [asgi + "/db/async?delay_ms=5"]),
    ):
        # Rates need two scrapes inside their 30 s window, and the rules one more
        # evaluation: poll until every query answers (or give up after 90 s).
        deadline = time.monotonic() + 90
        empty = empty_queries(lab.prom)
        while empty and time.monotonic() < deadline:
            time.sleep(2)
            empty = empty_queries(lab.prom)
        assert not empty, "queries without a series:\n" + "\n".join(empty)

        up = {s["metric"]["service"]: s["value"][1] for s in query(lab.prom, "up")}
        # The exercise's target is up only while `lab exercise run` serves its gauge.
        assert {k: v for k, v in up.items() if k not in SCRAPE_ONLY} == dict.fromkeys(SERVICES, "1")
        rps = values_by_server(lab.prom, "server:lab_http_requests:rate30s")
        assert rps["wsgi"] > 1
        assert rps["asgi"] > 1


def test_saturation_and_a_cpu_bound_loop_show_against_the_bound(lab: Lab) -> None:
    """WSGI (2 sync workers) under 6 concurrent 100 ms waits uses its whole bound; ASGI
    under CPU-heavy async views is marked CPU-bound. Both are what the bound panels show."""
    wsgi, asgi = lab.urls["wsgi"], lab.urls["asgi"]
    with (
        request_loop([wsgi + "/io/sync?delay_ms=100"], threads=6),
        request_loop([asgi + "/cpu/async?cpu_ms=40"], threads=4),
    ):
        deadline = time.monotonic() + 75
        used: dict[str, float] = {}
        cpu: dict[str, float] = {}
        while time.monotonic() < deadline:
            time.sleep(2)
            used = values_by_server(lab.prom, "server:lab_capacity_used:ratio30s")
            cpu = values_by_server(lab.prom, "server:lab_cpu_bound:30s")
            if used.get("wsgi", 0) > 0.8 and cpu.get("asgi") == 1:
                break
        assert used.get("wsgi", 0) > 0.8, used
        assert cpu.get("asgi") == 1, cpu
        bound = query(lab.prom, "server:lab_throughput_bound:rate30s")
        limited_by = {s["metric"]["server"]: s["metric"]["limited_by"] for s in bound}
        assert limited_by == {"wsgi": "concurrency", "asgi": "cpu"}
        # Saturated: WSGI's measured throughput is at its bound N / W (2 / ~0.1 s).
        rps = values_by_server(lab.prom, "server:lab_http_requests:rate30s")
        wsgi_bound = values_by_server(
            lab.prom, 'server:lab_throughput_bound:rate30s{server="wsgi"}'
        )
        assert 0.7 * wsgi_bound["wsgi"] < rps["wsgi"] <= 1.05 * wsgi_bound["wsgi"]


def test_a_gevent_server_fills_the_hub_lag_panel_and_names_itself(
    tmp_path: Path, prometheus_binary: str
) -> None:
    """A gevent WSGI server beside its own Prometheus: the hub-lag panel answers, the loop or
    hub tile shows it, and the throughput legend's join names gunicorn's gevent workers."""
    settings = with_free_ports(
        LabSettings(lab_var_dir=str(tmp_path), wsgi_worker_class="gevent", web_workers=1),
        "upstream", "wsgi", "asgi", "prometheus",
    )  # fmt: skip
    d = DASHBOARDS["sync-vs-async.json"]()
    gevent_panels = [p for p in d["panels"] if p.get("title") in GEVENT_ONLY]
    assert [p["title"] for p in gevent_panels] == sorted(GEVENT_ONLY)
    exprs = [substitute(t["expr"], {}) for p in gevent_panels for t in p["targets"]]
    (throughput,) = [
        t["expr"]
        for p in d["panels"]
        if p.get("title") == "Throughput vs Little's-law bound: both servers"
        for t in p["targets"]
        if "lab_http_requests:rate30s" in t["expr"]
    ]
    with contextlib.ExitStack() as stack:
        urls = {}
        for name in ("wsgi", "prometheus"):
            out = stack.enter_context((tmp_path / f"{name}.log").open("wb"))
            urls[name] = stack.enter_context(running(name, settings, output=out))
        prom = urls["prometheus"]
        with request_loop([urls["wsgi"] + "/ping"], threads=1):
            deadline = time.monotonic() + 60
            empty = exprs
            while empty and time.monotonic() < deadline:
                time.sleep(2)
                empty = [e for e in exprs if not query(prom, e)]
            assert not empty, empty
            # The tile shows the gevent server (whether its hub is CPU-bound is the machine's).
            assert set(values_by_server(prom, "server:lab_cpu_bound:30s")) == {"wsgi"}
            (served,) = query(prom, throughput)
            labels = served["metric"]
            assert (labels["server"], labels["implementation"], labels["worker_class"]) == (
                "wsgi",
                "gunicorn",
                "gevent",
            )
