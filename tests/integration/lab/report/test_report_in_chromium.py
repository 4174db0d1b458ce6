"""The report of a recorded run in a real browser (tests/exercise_results_short.json, from
`lab exercise run seed-table little --short` on 2 shared cores: the seed table, and knee
series against their Little's-law bound). The page of a run just measured
(`lab exercise run --report`) is checked beside that run, in
tests/integration/lab/exercise/test_exercise_run.py. Screenshots go to var/."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from report_browser import check, opened, screenshots

from contracts.paths import REPO

pytestmark = pytest.mark.integration

RECORDED = REPO / "tests" / "exercise_results_short.json"


def test_a_recorded_run_renders_offline_in_chromium(chromium_binary: str, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    done = subprocess.run(
        [sys.executable, "-m", "lab", "report", str(RECORDED), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size < 2_000_000
    with opened(out, chromium_binary) as seen:
        check(seen, out, json.loads(RECORDED.read_text()))
        assert seen.page.locator("table.summary tr").count() == 3  # the head, two exercises
        screenshots(seen.page, "report")
