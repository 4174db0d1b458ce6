"""Percentiles of the page loads and the machine's CPU use, from known inputs."""

from __future__ import annotations

import pytest

from lab.browser import stats
from lab.browser.chromium import Sample
from lab.machine_cpu import cpu_ticks


def sample(ttfb: float | None, lcp: float | None, status: int | None = 200) -> Sample:
    return Sample(status, ttfb, None if lcp is None else lcp - 10, lcp, {})


def test_percentiles_interpolate_between_ranks() -> None:
    assert stats.percentile([], 50) is None
    assert stats.percentile([7.0], 95) == 7.0
    assert stats.percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert stats.percentile([4.0, 1.0, 3.0, 2.0], 100) == 4.0
    assert stats.percentile(list(map(float, range(101))), 95) == pytest.approx(95.0)


def test_summary_counts_loaded_pages_only_and_the_browsers_share() -> None:
    loads = [sample(200, 260), sample(300, 400), sample(5000, 6000, status=502)]
    loads.append(Sample(None, None, None, None, {}, error="Timeout"))
    figures = stats.summary(loads)
    assert figures["ttfb_ms_p50"] == 250.0
    assert figures["lcp_ms_p50"] == 330.0
    assert figures["lcp_minus_ttfb_ms_p50"] == 80.0  # (60 + 100) / 2
    assert figures["fcp_ms_p95"] == pytest.approx(383.0)  # 250 + 0.95 x (390 - 250)


def test_a_load_without_lcp_gives_no_lcp_figure() -> None:
    figures = stats.summary([sample(200, None)])
    assert figures["ttfb_ms_p50"] == 200.0
    assert "lcp_ms_p50" not in figures
    assert "lcp_minus_ttfb_ms_p50" not in figures


def test_cpu_use_from_proc_stat() -> None:
    # user nice system idle iowait irq softirq steal
    before = cpu_ticks("cpu  100 0 100 700 100 0 0 0 0 0")
    after = cpu_ticks("cpu  400 0 200 900 100 0 0 100 0 0")
    assert before is not None
    assert after is not None
    use = stats.cpu_use(before, after)
    cores = use["cores"]
    # 700 ticks passed: 400 busy (user, system), 200 idle, 100 stolen.
    assert use["cores_busy"] == pytest.approx(round(400 / 700 * cores, 2))
    assert use["steal_fraction"] == pytest.approx(round(100 / 700, 3))
    assert stats.cpu_use(after, before)["cores_busy"] is None
