"""The sweep's results file (written whole or not at all), its table and its progress bar."""

import io
import json
from pathlib import Path
from typing import Any

import pytest

from contracts.settings import LabSettings
from lab.sweep import results, table
from lab.sweep.curve import bound_rps, knee_of, past_knee
from lab.sweep.grid import QUICK
from lab.sweep.progress import Bar, clock


def measured_point(users: int, throughput: float, p99_ms: float) -> dict[str, Any]:
    bound = bound_rps(users, 2, 100)
    p: dict[str, Any] = {
        "users": users,
        "status": "measured",
        "throughput_rps": throughput,
        "bound_rps": bound,
        "ratio": throughput / bound,
        "p50_ms": p99_ms * 0.9,
        "p99_ms": p99_ms,
        "requests": 40,
        "errors": 0,
        "duration_s": 2.0,
        "capped": users == 1,
        "cpu": {},
        "apparatus": {"warnings": []},
    }
    p["following"] = p["ratio"]
    p["past_knee"] = past_knee(p, 100)
    return p


def doc() -> dict[str, Any]:
    points = [measured_point(1, 9.5, 105), measured_point(4, 19.0, 230)]
    points.append(measured_point(16, 19.0, 850))
    points.append({"users": 64, "status": "skipped", "why": "past the knee at C=4"})
    server = {
        "implementation": "gunicorn",
        "worker_class": "sync",
        "workers": 2,
        "threads": 1,
        "path": "/io/sync",
        "limit": 2,
        "placement": "own wsgi server",
    }
    curve = {"server": "wsgi", "delay_ms": 100, "points": points}
    curve["knee"] = knee_of("wsgi", LabSettings(), 100, points)
    measured = {"servers": {"wsgi": server}, "curves": [curve]}
    return results.document(QUICK, measured, quick=True, started_at=0, finished_at=60, env={})


def test_the_document_says_its_format_settings_and_bound() -> None:
    d = doc()
    assert (d["format"], d["version"], d["quick"]) == ("asynclab-sweep-results", 1, True)
    assert d["settings"]["bound"] == "min(users, limit) ÷ delay"
    assert d["settings"]["knee"] == {"below": 0.8, "p99_over_delay": 2.0, "confirm": 1}
    assert d["settings"]["users"] == list(QUICK.users)
    assert d["curves"][0]["knee"]["users"] == 4


def test_the_table_marks_the_knee_the_cap_and_the_skipped_points() -> None:
    lines = table.text(doc()).splitlines()
    assert lines[0].startswith(
        "wsgi: gunicorn (sync workers), 2 workers; at most workers × threads = 2 × 1 = 2"
    )
    row = next(line for line in lines if line.lstrip().startswith("4 "))
    assert "← knee  p99 230 ms > 2 × 100 ms: requests queue" in row
    assert any(line.rstrip().endswith("2.0 s (cap)") for line in lines)
    assert "  skipped C=64: past the knee at C=4" in lines
    assert lines[-1].startswith("  the knee: between C=1 and C=4; worker/thread limit: ")


def test_the_file_is_written_whole(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    results.write(path, doc())
    assert json.loads(path.read_text())["format"] == "asynclab-sweep-results"
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]  # no temporary file left
    with pytest.raises(TypeError):
        results.write(tmp_path / "bad.json", {"not json": object()})
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]  # nor half a file


def test_an_output_that_cannot_be_written_is_found_before_the_sweep(tmp_path: Path) -> None:
    results.check_writable(tmp_path / "s.json")  # fine, and leaves nothing behind
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(IsADirectoryError):
        results.check_writable(tmp_path)
    with pytest.raises(FileNotFoundError):
        results.check_writable(tmp_path / "missing" / "s.json")


def test_the_bar_shows_the_share_done_and_the_time_left() -> None:
    stream = io.StringIO()
    bar = Bar(stream)
    bar.started -= 30  # 30 s spent
    bar.update("wsgi D=100 ms C=4", 90.0)
    assert stream.getvalue() == (
        "[sweep] [######..................]  25% wsgi D=100 ms C=4; ~1:30 left\n"
    )
    assert (clock(0.4), clock(61), clock(-5)) == ("0:00", "1:01", "0:00")
