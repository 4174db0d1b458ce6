"""The report of a recorded run in a real browser (tests/exercise_results_short.json, from
`lab exercise run seed-table little --short` on 2 shared cores: the seed table, and knee
series against their Little's-law bound), alone and beside a second run, with the ratio per
chart. The page of a run just measured
(`lab exercise run --report`) is checked beside that run, in
tests/integration/lab/exercise/test_exercise_run.py. Screenshots go to var/."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from report_browser import check, drawn, opened, screenshots

from contracts.paths import REPO

pytestmark = pytest.mark.integration

RECORDED = REPO / "tests" / "exercise_results_short.json"


def lab_report(*args: str | Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "lab", "report", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr


def test_a_recorded_run_renders_offline_in_chromium(chromium_binary: str, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    lab_report(RECORDED, "-o", out)
    assert out.stat().st_size < 2_000_000
    with opened(out, chromium_binary) as seen:
        check(seen, out, json.loads(RECORDED.read_text()))
        assert seen.page.locator("table.summary tr").count() == 3  # the head, two exercises
        screenshots(seen.page, "report")


def test_two_runs_render_side_by_side_with_their_ratios(
    chromium_binary: str, tmp_path: Path
) -> None:
    doc = json.loads(RECORDED.read_text())
    # A second run: the recorded one with the seed table's async-io twice as fast.
    after = json.loads(RECORDED.read_text())
    (seed,) = (ex for ex in after["exercises"] if ex["name"] == "seed-table")
    (async_io,) = (p for p in seed["phases"] if p["name"] == "async-io")
    async_io["values"]["throughput"] *= 2
    for v in seed["verdicts"]:
        if (v["phase"], v["measure"]) == ("async-io", "throughput"):
            v["measured"] *= 2
    before_path, after_path = tmp_path / "before.json", tmp_path / "after.json"
    before_path.write_text(json.dumps(doc))
    after_path.write_text(json.dumps(after))
    out = tmp_path / "diff.html"
    lab_report(before_path, after_path, "-o", out)
    with opened(out, chromium_binary) as seen:
        check(seen, out, doc, after)
        ratios = seen.page.locator('table.ratios[data-chart="throughput"] tr')
        rows = {
            cells[0]: cells[3]
            for i in range(1, ratios.count())
            if (cells := ratios.nth(i).locator("td").all_inner_texts())
        }
        assert rows["async-io throughput"] == "2.00"
        assert rows["sync-io throughput"] == "1.00"


SWEEP = REPO / "tests" / "sweep_results_quick.json"


def test_a_recorded_sweep_renders_offline_in_chromium(chromium_binary: str, tmp_path: Path) -> None:
    out = tmp_path / "sweep.html"
    lab_report(SWEEP, "-o", out)
    doc = json.loads(SWEEP.read_text())
    with opened(out, chromium_binary) as seen:
        assert seen.console_errors == []
        assert seen.failed == []
        assert seen.requests == [out.resolve().as_uri()]
        figures = seen.page.locator("figure.chart")
        assert figures.count() == 4  # two delays, two servers' heatmaps
        for i in range(figures.count()):
            figure = figures.nth(i)
            for attribute in ("data-series", "data-bounds"):
                for gid in (figure.get_attribute(attribute) or "").split():
                    assert drawn(seen.page, gid), f"{gid} is not drawn"
        for curve in doc["curves"]:
            if curve["knee"]:
                d, server = curve["delay_ms"], curve["server"]
                assert drawn(seen.page, f"sweep-d{d}-throughput-knee-{server}")
        for curve in doc["curves"]:
            for p in curve["points"]:
                if p["status"] == "measured":
                    key = f"{curve['server']}/{curve['delay_ms']}/{p['users']}/throughput"
                    (text,) = seen.page.locator(f'span.num[data-key="{key}"]').all_inner_texts()
                    assert abs(float(text) - p["throughput_rps"]) < 0.05 * p["throughput_rps"]
        screenshots(seen.page, "sweep")
