"""The charts of a recorded run: each with its named series and the bound it is judged
against, found by id in the SVG; deterministic; nothing fetched; units on the axes."""

import re

import pytest

from contracts.paths import REPO
from lab.report import charts, offline, runs

RECORDED = REPO / "tests" / "exercise_results_short.json"
OKABE_ITO = {"#0072b2", "#e69f00", "#56b4e9", "#009e73", "#d55e00", "#cc79a7", "#f0e442"}


@pytest.fixture(scope="module")
def made() -> dict[str, dict[str, charts.Chart]]:
    (run,) = runs.load([RECORDED])
    return {name: {c.kind: c for c in charts.charts(ex)} for name, ex in run.exercises.items()}


def ids(svg: str) -> list[str]:
    return re.findall(r'\bid="([^"]+)"', svg)


def has(svg: str, prefix: str) -> bool:
    return any(i.startswith(prefix) for i in ids(svg))


def test_each_exercise_gets_the_charts_its_results_hold(
    made: dict[str, dict[str, charts.Chart]],
) -> None:
    assert list(made["seed-table"]) == [
        "throughput",
        "latency",
        "bystander",
        "loop-lag",
        "threads-rss",
    ]
    # little's phases are its knee series: throughput against concurrency, not per phase.
    assert list(made["little"]) == ["knee", "latency", "loop-lag", "threads-rss"]


def test_every_chart_draws_the_series_it_names(made: dict[str, dict[str, charts.Chart]]) -> None:
    for by_kind in made.values():
        for chart in by_kind.values():
            assert chart.series, chart.id
            for gid in (*chart.series, *chart.bounds):
                assert has(chart.svg, gid), f"{chart.id}: {gid} not in the SVG"


def test_the_knee_chart_has_each_series_with_its_littles_law_bound(
    made: dict[str, dict[str, charts.Chart]],
) -> None:
    (run,) = runs.load([RECORDED])
    knee = made["little"]["knee"]
    for k in run.exercises["little"]["knees"]:
        name = charts.slug(k["name"])
        assert has(knee.svg, f"little-knee-series-{name}")
        assert has(knee.svg, f"little-knee-bound-{name}")
        assert has(knee.svg, f"little-knee-knee-{name}") == (k["knee"] is not None)
        assert f"{k['name']}: Little's-law bound" in knee.svg
    assert "concurrency C (closed-loop users)" in knee.svg
    assert "throughput (requests/s)" in knee.svg


def test_the_rules_bounds_are_drawn_where_rules_judge_the_quantity(
    made: dict[str, dict[str, charts.Chart]],
) -> None:
    seed = made["seed-table"]
    # seed-table judges throughput, p50 and the bystander's p99; not the loop lag or threads.
    assert [c.kind for c in seed.values() if c.bounds] == ["throughput", "latency", "bystander"]
    assert "≤ 12" in seed["throughput"].svg  # sync-io: 1.2 × W÷D
    assert "≥ 25" in seed["throughput"].svg  # async-io: 0.5 × C÷D


def test_titles_say_the_finding_and_axes_their_units(
    made: dict[str, dict[str, charts.Chart]],
) -> None:
    seed = made["seed-table"]
    assert seed["throughput"].title.startswith("async-io serves ")
    assert seed["bystander"].title.startswith("bystander /ping p99: ")
    assert "beside async-cpu" in seed["bystander"].title
    assert "latency (ms, log scale)" in seed["latency"].svg
    assert "OS threads (most)" in seed["threads-rss"].svg
    assert "resident memory (MB)" in seed["threads-rss"].svg


def test_charts_are_deterministic_and_their_ids_their_own() -> None:
    (run,) = runs.load([RECORDED])
    ex = run.exercises["seed-table"]
    first, again = charts.charts(ex), charts.charts(ex)
    assert [c.svg for c in first] == [c.svg for c in again]
    all_ids = [i for c in first for i in ids(c.svg)]
    assert len(all_ids) == len(set(all_ids))


def test_charts_fetch_nothing_and_keep_to_the_palette(
    made: dict[str, dict[str, charts.Chart]],
) -> None:
    for by_kind in made.values():
        for chart in by_kind.values():
            assert chart.svg.startswith("<svg")
            assert offline.problems(chart.svg) == []
            colours = set(re.findall(r"fill: (#[0-9a-f]{6})", chart.svg))
            assert colours - {"#ffffff", "#000000"} <= OKABE_ITO, chart.id


def test_a_second_run_scales_the_axes_of_the_first() -> None:
    (run,) = runs.load([RECORDED])
    ex = run.exercises["seed-table"]
    bigger = {
        **ex,
        "phases": [
            {**p, "values": {**p["values"], "throughput": p["values"]["throughput"] * 10}}
            for p in ex["phases"]
        ],
    }
    alone = charts.throughput(ex, [ex])
    beside = charts.throughput(ex, [ex, bigger])
    assert alone is not None
    assert beside is not None
    assert alone.values == beside.values
    assert alone.svg != beside.svg  # same bars, a taller axis


def test_a_browser_phase_gets_ttfb_and_lcp_with_the_rules_bounds() -> None:
    def phase(name: str, ttfb: float, lcp: float) -> dict[str, object]:
        values = {"ttfb_p50": ttfb, "ttfb_p95": ttfb * 1.5, "lcp_p50": lcp, "lcp_p95": lcp * 1.5}
        return {"name": name, "values": values}

    ex = {
        "name": "page-load",
        "phases": [phase("sync", 1100, 1300), phase("async", 220, 310)],
        "verdicts": [
            {"phase": "sync", "measure": "ttfb_p50", "op": ">=", "bound": 400, "holds": True},
            {"phase": "async", "measure": "lcp_p50", "op": "<=", "bound": 650, "holds": True},
        ],
    }
    (chart,) = [c for c in charts.charts(ex) if c.kind == "browser"]
    for label in ("ttfb-p50", "ttfb-p95", "lcp-p50", "lcp-p95"):
        assert has(chart.svg, f"page-load-browser-series-{label}")
    assert has(chart.svg, "page-load-browser-bound-rules")
    assert chart.title == "LCP p50 1300 ms in sync, 310 ms in async: 4.2×"
    assert chart.values["async LCP p50"] == 310
