"""The page: top to bottom in order, the figures the rules judged printed as in the JSON, the
ratio of two runs per chart, Grafana's links for the run's minutes, and nothing fetched."""

import re
from collections.abc import Sequence

import pytest

from contracts.paths import REPO
from lab.exercise.verdict import fmt
from lab.report import offline, page, runs

RECORDED = REPO / "tests" / "exercise_results_short.json"
GRAFANA = "http://127.0.0.1:3000"


@pytest.fixture(scope="module")
def one() -> tuple[list[runs.Run], str]:
    loaded = runs.load([RECORDED])
    return loaded, page.render(loaded, GRAFANA)


def spans(html: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, text in re.findall(r'<span class="num" data-key="([^"]+)">([^<]*)</span>', html):
        found.setdefault(key, []).append(text)
    return found


def test_the_sections_come_in_order(one: tuple[list[runs.Run], str]) -> None:
    _, html = one
    order = ['id="verdicts"', 'id="seed-table-claim"', 'id="ex-seed-table"', 'id="ex-little"']
    order += ['id="advise"', 'id="environment"', 'id="grafana"']
    at = [html.index(marker) for marker in order]
    assert at == sorted(at)


def test_every_judged_figure_is_on_the_page_as_in_the_json(
    one: tuple[list[runs.Run], str],
) -> None:
    (run,), html = one
    expected: dict[str, list[str]] = {}
    for name, ex in run.exercises.items():
        for v in ex["verdicts"]:  # two rules may judge one quantity: one span each
            key = f"{name}/{v['phase']}/{v['measure']}"
            expected.setdefault(key, []).append(fmt(v["measured"]))
            expected.setdefault(key + "/bound", []).append(fmt(v["bound"]))
    assert spans(html) == expected


def test_the_seed_tables_four_rows_have_their_verdicts(one: tuple[list[runs.Run], str]) -> None:
    (run,), html = one
    table = re.search(r'<table class="rows" data-exercise="seed-table">.*?</table>', html)
    assert table is not None
    rows = re.findall(r"<tr><td>(\d)</td>.*?</tr>", table.group(0))
    assert rows == ["1", "2", "3", "4"]
    for p in run.exercises["seed-table"]["phases"]:
        assert f"<td>{p['pattern']}</td>" in table.group(0)
        assert f'<td class="">{p["verdict"]}</td>' in table.group(0)


def test_grafana_links_cover_the_runs_minutes(one: tuple[list[runs.Run], str]) -> None:
    (run,), html = one
    start, end = int(run.started.timestamp() * 1000), int(run.finished.timestamp() * 1000)
    for uid in ("lab-sync-vs-async", "lab-load-generator", "lab-slow-upstream"):
        assert f'href="{GRAFANA}/d/{uid}?from={start}&amp;to={end}"' in html


def test_the_page_references_nothing_outside_but_grafana(
    one: tuple[list[runs.Run], str],
) -> None:
    loaded, html = one
    assert offline.problems(html, page.links(loaded, GRAFANA)) == []
    outside = [r for r in offline.references(html) if offline.outside(r)]
    assert {r.url for r in outside} == set(page.links(loaded, GRAFANA))
    assert all(r.tag == "a" for r in outside)


@pytest.mark.parametrize(
    "html",
    [
        '<script src="https://cdn.example/x.js"></script>',
        '<link rel="stylesheet" href="//fonts.example/css">',
        '<img src="http://example/x.png">',
        '<img srcset="a.png 1x, https://example/b.png 2x">',
        "<style>@import 'https://example/x.css';</style>",
        '<div style="background: url(https://example/x.png)"></div>',
        "<style>body { font-family: X; src: url('//example/x.woff2') }</style>",
        '<svg><image xlink:href="https://example/x.png"/></svg>',
        '<a href="https://example/">not the lab\'s Grafana</a>',
    ],
)
def test_the_offline_check_catches_a_reference_outside(html: str) -> None:
    assert len(offline.problems(html, [f"{GRAFANA}/d/x"])) == 1


def test_the_offline_check_accepts_what_is_in_the_page() -> None:
    html = (
        '<a href="#ex-little">x</a><svg><use xlink:href="#m1"/></svg>'
        '<img src="data:image/png;base64,AAAA"><a href="http://127.0.0.1:3000/d/x">G</a>'
    )
    assert offline.problems(html, [f"{GRAFANA}/d/x"]) == []


def ratio_rows(html: str, kind: str) -> Sequence[tuple[str, str, str, str]]:
    table = re.search(rf'<table class="ratios" data-chart="{kind}">.*?</table>', html)
    assert table is not None, kind
    return re.findall(
        r"<tr><td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td></tr>",
        table.group(0),
    )


def test_two_runs_go_side_by_side_with_the_ratio_per_chart() -> None:
    (a,) = runs.load([RECORDED])
    doc = dict(a.doc)
    # The same run with every throughput doubled, as a second run to compare.
    doc["exercises"] = [
        {
            **ex,
            "phases": [
                {**p, "values": {**p["values"], "throughput": 2 * p["values"]["throughput"]}}
                for p in ex["phases"]
            ],
            "knees": [
                {**k, "points": [{**p, "measured": 2 * p["measured"]} for p in k["points"]]}
                for k in ex["knees"]
            ],
        }
        for ex in doc["exercises"]
    ]
    b = runs.from_doc(doc, "after.json", "after.json")
    html = page.render([a, b], GRAFANA)
    rows = ratio_rows(html, "throughput")
    assert {key for key, *_ in rows} == {
        f"{p} throughput" for p in ("sync-io", "async-io", "async-cpu", "sync-cpu")
    }
    assert {r[3] for r in rows} == {"2.00"}
    assert {r[3] for r in ratio_rows(html, "latency")} == {"1.00"}
    assert {r[3] for r in ratio_rows(html, "knee")} == {"2.00"}
    # Each run's charts have ids of their own.
    all_ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(all_ids) == len(set(all_ids))
    assert offline.problems(html, page.links([a, b], GRAFANA)) == []


def test_should_we_go_async_answers_from_the_runs_own_measurements(
    one: tuple[list[runs.Run], str],
) -> None:
    _, html = one
    section = html[html.index('id="advise"') : html.index('id="environment"')]
    assert "uvicorn, async views" in section
    assert "concurrency (Little&#x27;s law)" in section  # gunicorn sync's limit
    assert "median of seed-table sync-io cpu_ms_per_request" in section
    assert "uv run lab advise --results" in section


def test_no_advice_from_a_run_without_slow_io(one: tuple[list[runs.Run], str]) -> None:
    loaded, _ = one
    doc = dict(loaded[0].doc)
    doc["exercises"] = [
        {**ex, "phases": [p for p in ex["phases"] if "/io/" not in p["load"]]}
        for ex in doc["exercises"]
    ]
    run = runs.from_doc(doc, "cpu-only.json", "cpu-only.json")
    assert 'id="advise"' not in page.render([run], GRAFANA)
