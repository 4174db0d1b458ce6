"""A sweep's page from a recorded `lab sweep --quick` (tests/sweep_results_quick.json, two
shared cores): a chart per delay with every server's curve, bound and knee, a heatmap per
server, the points as the JSON has them, nothing fetched; bad input in one line."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from contracts.paths import REPO
from lab.exercise.results import ResultsError
from lab.report import offline, sweep_charts, sweep_page
from lab.sweep.results import read

RECORDED = REPO / "tests" / "sweep_results_quick.json"


@pytest.fixture(scope="module")
def doc() -> dict[str, object]:
    return read(RECORDED)


def ids(svg: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', svg))


def test_each_delay_has_every_servers_curve_bound_and_knee(doc: dict[str, object]) -> None:
    charts = {c.id: c for c in sweep_charts.charts(doc)}
    assert list(charts) == [
        "sweep-d50-throughput",
        "sweep-d200-throughput",
        "sweep-wsgi-heatmap",
        "sweep-asgi-heatmap",
    ]
    for delay in (50, 200):
        chart = charts[f"sweep-d{delay}-throughput"]
        for server in ("wsgi", "asgi"):
            for part in ("series", "bound", "knee"):
                assert f"sweep-d{delay}-throughput-{part}-{server}" in ids(chart.svg)
    assert charts["sweep-d50-throughput"].title == (
        "D = 50 ms: wsgi knee at C=4 (worker/thread limit); asgi knee at C=64 (CPU)"
    )


def test_the_heatmap_holds_each_measured_ratio(doc: dict[str, object]) -> None:
    heat = next(c for c in sweep_charts.charts(doc) if c.id == "sweep-wsgi-heatmap")
    assert "sweep-wsgi-heatmap-series-ratio" in ids(heat.svg)
    # wsgi ran C=1, 4 and 16 at each delay: the rest were past its knee, so blank.
    assert sorted(heat.values) == sorted(
        f"D={d} C={c} ratio" for d in (50, 200) for c in (1, 4, 16)
    )
    assert "<image" not in heat.svg  # vector, no embedded raster


def test_the_page_shows_every_point_as_the_json_has_it(doc: dict[str, object]) -> None:
    page = sweep_page.render(doc, "sweep.json", "http://127.0.0.1:3000")
    assert offline.problems(page, sweep_page.links(doc, "http://127.0.0.1:3000")) == []
    shown = dict(re.findall(r'data-key="([^"]+)">([^<]+)<', page))
    curves = json.loads(RECORDED.read_text())["curves"]
    measured = [(c, p) for c in curves for p in c["points"] if p["status"] == "measured"]
    assert len(shown) == len(measured)
    for c, p in measured:
        key = f"{c['server']}/{c['delay_ms']}/{p['users']}/throughput"
        text = shown[key]
        decimals = len(text.partition(".")[2])
        assert abs(float(text) - p["throughput_rps"]) <= 0.5 * 10**-decimals + 1e-9, key
    assert "past the knee at C=4" in page


def lab_report(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lab", "report", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )


def test_lab_report_draws_a_sweep_file(tmp_path: Path) -> None:
    out = tmp_path / "sweep.html"
    done = lab_report(str(RECORDED), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "<h1>asynclab sweep</h1>" in out.read_text()


def test_a_sweep_is_reported_alone_and_a_bad_one_is_one_line(tmp_path: Path) -> None:
    results = REPO / "tests" / "exercise_results_short.json"
    done = lab_report(str(RECORDED), str(results), "-o", str(tmp_path / "x.html"))
    assert done.returncode == 2
    assert done.stderr.strip() == f"lab report: {RECORDED} is a sweep: report it alone"
    cut = tmp_path / "cut.json"
    cut.write_text(RECORDED.read_text()[:500])
    done = lab_report(str(cut), "-o", str(tmp_path / "x.html"))
    assert done.returncode == 2
    assert "truncated" in done.stderr
    assert not (tmp_path / "x.html").exists()


def test_a_sweep_of_another_version_is_refused(tmp_path: Path) -> None:
    doc = json.loads(RECORDED.read_text())
    doc["version"] = 2
    path = tmp_path / "v2.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ResultsError, match="sweep format version 2; this lab reads 1"):
        read(path)
