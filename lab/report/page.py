"""The report as one HTML page, top to bottom: the verdicts, the seed table, each exercise
(its question, rows, charts, rules, explanation), the environment, and links to Grafana for
the run's minutes. Two runs go side by side, each chart with the ratio of their figures.

Every figure the rules judged is printed in a `<span class="num" data-key="exercise/phase/
quantity">` (or `.../bound`), so a test can hold the page to its JSON."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from contracts.dashboards import DASHBOARDS
from lab.exercise.verdict import SYMBOL, fmt
from lab.report.charts import Chart, charts, slug
from lab.report.runs import Exercise, Run

SEED_TABLE = "seed-table"
PACKAGES = ("django", "gunicorn", "uvicorn", "aiohttp", "httpx")
CAPTIONS = {
    "knee": "Throughput against concurrency; dashed: the Little's-law bound of each series "
    "(C÷D, or min(C, W)÷D behind W sync workers); ✕: the knee, the first point below "
    "the threshold of its bound.",
    "throughput": "Throughput per phase (requests answered per second); dashed: each rule's "
    "bound, with the sign it is judged by.",
    "latency": "The main load's latency percentiles per phase (HdrHistogram of every answered "
    "request); dashed: each rule's bound, over the percentile it judges.",
    "bystander": "A bystander's latency (a cheap request at a low fixed rate) beside the main "
    "load's: what a neighbour of the load waits; dashed: each rule's bound.",
    "browser": "What a person waits for, measured in headless Chromium beside the phase's "
    "load (a fresh browser context per page load): time to the first byte (TTFB) and to the "
    "Largest Contentful Paint (LCP), p50 and p95; dashed: each rule's bound.",
    "loop-lag": "The event loop's lag p99 (the bucket bound of its histogram), in each phase "
    "whose server has a loop.",
    "threads-rss": "The most OS threads of the server and its workers' resident memory in "
    "each phase (from /metrics and /proc).",
}

CSS = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1180px;
       padding: 1em 1.5em 4em; color: #1a1a1a; }
h1 { margin-bottom: .2em; } h2 { margin-top: 2.2em; border-bottom: 2px solid #ddd; }
table { border-collapse: collapse; margin: .6em 0; }
th, td { border: 1px solid #ccc; padding: .25em .5em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
.ok { color: #006e4f; } .surprise { color: #b24500; font-weight: 600; }
.num { font-variant-numeric: tabular-nums; } .rule { white-space: nowrap; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 1.2em; }
.cols > * { min-width: 0; overflow-x: auto; }
figure { margin: 1.2em 0; max-width: 900px; } figure svg { width: 100%; height: auto; }
figcaption { font-size: .88em; color: #444; }
.question { font-size: 1.1em; font-style: italic; }
.explanation { background: #f6f8fa; padding: .6em .9em; border-left: 4px solid #0072B2; }
.muted { color: #666; }
pre.advise { font-size: .85em; overflow-x: auto; background: #f6f8fa; padding: .6em; }
"""


def e(text: object) -> str:
    return html.escape(str(text), quote=True)


def tr(*cells: str) -> str:
    """A row of cells, each already HTML."""
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def num(key: str, value: float | None, unit: str = "") -> str:
    if value is None:
        return '<span class="muted">not measured</span>'
    shown = f"{fmt(value)}{' ' + e(unit) if unit else ''}"
    return f'<span class="num" data-key="{e(key)}">{shown}</span>'


def grafana_links(run: Run, grafana: str) -> list[tuple[str, str]]:
    """Each dashboard for the run's minutes (title, URL)."""
    start = int(run.started.timestamp() * 1000)
    end = int(run.finished.timestamp() * 1000)
    return [(d.title, f"{grafana}{d.path}?from={start}&to={end}") for d in DASHBOARDS]


def render(runs: Sequence[Run], grafana: str) -> str:
    """The page for one run, or two side by side (`grafana`: the dashboards' base URL)."""
    names = list(dict.fromkeys(n for run in runs for n in run.exercises))
    labels = " and ".join(e(run.label) for run in runs)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>asynclab report: {labels}</title><style>{CSS}</style></head><body>",
        f'<h1>asynclab report</h1><p class="muted">{intro(runs)}</p>',
        summary(runs, names),
    ]
    if any(SEED_TABLE in run.exercises for run in runs):
        parts += [
            '<h2 id="seed-table-claim">The classic claim, measured</h2>',
            "<p>The four rows of “when does async help a Django app?”, each with the figures "
            "its verdict rests on (measured, then the rule's bound).</p>",
            one_above_the_other(runs, lambda run: rows_table(run.exercises.get(SEED_TABLE))),
        ]
    parts += [exercise_section(runs, name) for name in names]
    parts += [advise_section(runs), environment(runs), grafana_section(runs, grafana)]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def intro(runs: Sequence[Run]) -> str:
    out = []
    for run in runs:
        short = " (--short)" if run.doc.get("short") else ""
        out.append(
            f"{e(run.label)}: {e(run.started.isoformat(timespec='seconds'))} to "
            f"{e(run.finished.isoformat(timespec='seconds'))}{short}"
        )
    return "; ".join(out)


def side_by_side(runs: Sequence[Run], part: Any) -> str:
    """Each run's part, under its label: in two columns; wide tables one above the other
    (`one_above_the_other`), where columns would squeeze them."""
    if len(runs) == 1:
        return str(part(runs[0]))
    cells = "".join(f"<div><h4>{e(run.label)}</h4>{part(run)}</div>" for run in runs)
    return f'<div class="cols">{cells}</div>'


def one_above_the_other(runs: Sequence[Run], part: Any) -> str:
    if len(runs) == 1:
        return str(part(runs[0]))
    return "".join(f"<div><h4>{e(run.label)}</h4>{part(run)}</div>" for run in runs)


def held(ex: Exercise) -> tuple[int, int]:
    verdicts = ex.get("verdicts") or []
    return sum(bool(v.get("holds")) for v in verdicts), len(verdicts)


def outcome_cell(ex: Exercise | None) -> str:
    if ex is None:
        return '<td class="muted">not run</td>'
    ok, total = held(ex)
    if ok == total:
        return f'<td class="ok">✓ as expected ({ok} of {total} rules held)</td>'
    return f'<td class="surprise">✗ surprise ({total - ok} of {total} rules did not hold)</td>'


def summary(runs: Sequence[Run], names: Iterable[str]) -> str:
    heads = (
        "".join(f"<th>{e(run.label)}</th>" for run in runs) if len(runs) > 1 else "<th>verdict</th>"
    )
    rows = []
    for name in names:
        question = next(
            run.exercises[name].get("question", "") for run in runs if name in run.exercises
        )
        cells = "".join(outcome_cell(run.exercises.get(name)) for run in runs)
        link = f'<a href="#ex-{slug(name)}">{e(name)}</a>'
        rows.append(f"<tr><td>{link}</td>{cells}<td>{e(question)}</td></tr>")
    return (
        '<h2 id="verdicts">Verdicts</h2><table class="summary"><tr><th>exercise</th>'
        f"{heads}<th>question</th></tr>{''.join(rows)}</table>"
    )


def threads_cell(phase: Mapping[str, Any]) -> str:
    by_pid = (phase.get("server_side") or {}).get("threads_by_pid") or {}
    if not by_pid:
        return "?"
    return f"{sum(by_pid.values())} ({'+'.join(str(n) for n in by_pid.values())})"


def impact(ex: Exercise, phase: str) -> str:
    """Each rule of the phase: the measured figure beside its bound, and whether it held."""
    out = []
    for v in ex.get("verdicts") or []:
        if v.get("phase") != phase:
            continue
        key = f"{ex['name']}/{phase}/{v['measure']}"
        mark = '<span class="ok">✓</span>' if v.get("holds") else '<span class="surprise">✗</span>'
        sign = SYMBOL.get(v.get("op", ""), "?")
        out.append(
            f'<span class="rule">{e(v["measure"])} {num(key, v.get("measured"))} {sign} '
            f"{num(key + '/bound', v.get('bound'))} {mark}</span>"
        )
    return "<br>".join(out)


def rows_table(ex: Exercise | None) -> str:
    if ex is None:
        return '<p class="muted">not in this run</p>'
    head = "<tr><th>#</th><th>pattern</th><th>threads</th><th>blocking</th>"
    head += "<th>measured (rule's bound)</th><th>verdict</th></tr>"
    rows = []
    for i, p in enumerate(ex.get("phases") or [], 1):
        verdict = str(p.get("verdict", ""))
        cls = "surprise" if verdict.startswith("surprise") else ""
        rows.append(
            f"<tr><td>{i}</td><td>{e(p.get('pattern') or p['name'])}</td>"
            f"<td>{e(threads_cell(p))}</td><td>{e(p.get('blocking', ''))}</td>"
            f'<td>{impact(ex, p["name"])}</td><td class="{cls}">{e(verdict)}</td></tr>'
        )
    return f'<table class="rows" data-exercise="{e(ex["name"])}">{head}{"".join(rows)}</table>'


def rules(ex: Exercise | None) -> str:
    if ex is None:
        return ""
    items = []
    for v in ex.get("verdicts") or []:
        mark = "✓" if v.get("holds") else "✗ surprise:"
        measured, bound = v.get("measured"), v.get("bound")
        figure = (
            "not measured"
            if measured is None or bound is None
            else f"{fmt(measured)} {v.get('unit', '')} of bound {fmt(bound)}"
        )
        cls = "ok" if v.get("holds") else "surprise"
        items.append(
            f'<li><span class="{cls}">{mark}</span> {e(v["phase"])}: {e(v.get("rule", ""))}: '
            f"{e(figure)} — {e(v.get('why', ''))}</li>"
        )
    return f'<ul class="rules">{"".join(items)}</ul>'


def knee_tables(ex: Exercise | None) -> str:
    if ex is None:
        return ""
    out = []
    for k in ex.get("knees") or []:
        rows = []
        for p in k.get("points") or []:
            at = " ← knee" if p.get("phase") == k.get("knee") else ""
            ratio = p.get("ratio")
            rows.append(
                f"<tr><td>{e(p['phase'])}</td><td>{e(p.get('users') or '')}</td>"
                f"<td>{e(fmt(p['measured']) if p.get('measured') is not None else '—')}</td>"
                f"<td>{e(fmt(p['bound']))}</td>"
                f"<td>{e(f'{ratio:.2f}' if ratio is not None else '—')}{at}</td></tr>"
            )
        out.append(
            f"<p>Knee series <b>{e(k['name'])}</b>: {e(k.get('measure', 'throughput'))} ÷ its "
            f"bound; the knee is the first below {e(fmt(k.get('below', 0.8)))}.</p>"
            "<table><tr><th>phase</th><th>C</th><th>measured</th><th>bound</th><th>ratio</th></tr>"
            f"{''.join(rows)}</table>"
        )
    return "".join(out)


def figure_html(chart: Chart) -> str:
    return (
        f'<figure class="chart" id="{e(chart.id)}" data-kind="{e(chart.kind)}" '
        f'data-series="{e(" ".join(chart.series))}" data-bounds="{e(" ".join(chart.bounds))}">'
        f"{compact(chart.svg)}<figcaption>{e(CAPTIONS.get(chart.kind, ''))}</figcaption></figure>"
    )


def compact(svg: str) -> str:
    """The SVG without the indentation between its tags (a quarter of its size)."""
    return "".join(line.strip() for line in svg.splitlines())


def ratio_table(a: Chart, b: Chart, labels: Sequence[str]) -> str:
    rows = []
    for key in a.values:
        if key not in b.values:
            continue
        x, y = a.values[key], b.values[key]
        r = f"{y / x:.2f}" if x else "—"
        rows.append(
            f"<tr><td>{e(key)}</td><td>{e(fmt(x))}</td><td>{e(fmt(y))}</td><td>{r}</td></tr>"
        )
    if not rows:
        return ""
    return (
        f'<table class="ratios" data-chart="{e(a.kind)}"><tr><th></th><th>{e(labels[0])}</th>'
        f"<th>{e(labels[1])}</th><th>{e(labels[1])} ÷ {e(labels[0])}</th></tr>"
        f"{''.join(rows)}</table>"
    )


def charts_html(runs: Sequence[Run], name: str) -> str:
    present = [run.exercises.get(name) for run in runs]
    made: list[dict[str, Chart]] = []
    for i, ex in enumerate(present):
        if ex is None:
            made.append({})
            continue
        others = [x for j, x in enumerate(present) if j != i and x is not None]
        # Each run's charts get ids of their own: the page holds both.
        prefixed = dict(ex, name=ex["name"] if len(runs) == 1 else f"{ex['name']}-run{i + 1}")
        made.append({c.kind: c for c in charts(prefixed, others)})
    if len(runs) == 1:
        return "".join(figure_html(c) for c in made[0].values())
    kinds = list(dict.fromkeys(k for m in made for k in m))
    out = []
    for kind in kinds:
        cells = "".join(
            f"<div>{figure_html(m[kind]) if kind in m else '<p class=muted>not measured</p>'}</div>"
            for m in made
        )
        out.append(f'<div class="cols">{cells}</div>')
        if all(kind in m for m in made):
            out.append(ratio_table(made[0][kind], made[1][kind], [r.label for r in runs]))
    return "".join(out)


def exercise_section(runs: Sequence[Run], name: str) -> str:
    first = next(run.exercises[name] for run in runs if name in run.exercises)
    explanation = first.get("explanation") or ""
    return "".join(
        [
            f'<section class="exercise" id="ex-{slug(name)}"><h2>{e(name)}</h2>',
            f'<p class="question">{e(first.get("question", ""))}</p>',
            # The seed table's rows are at the top of the page.
            '<p><a href="#seed-table-claim">Its rows: above.</a></p>'
            if name == SEED_TABLE
            else one_above_the_other(runs, lambda run: rows_table(run.exercises.get(name))),
            charts_html(runs, name),
            one_above_the_other(runs, lambda run: rules(run.exercises.get(name))),
            side_by_side(runs, lambda run: knee_tables(run.exercises.get(name))),
            f'<p class="explanation">{e(explanation)}</p>' if explanation else "",
            "</section>",
        ]
    )


# The question the page answers for an example team; `lab advise` answers it for yours.
EXAMPLE_MS, EXAMPLE_CPU_MS, EXAMPLE_RPS = 200.0, 5.0, 100.0


def advise_section(runs: Sequence[Run]) -> str:
    """Should we go async? Each configuration's capacity from this run's measurements, for an
    example team's numbers (`lab advise`, docs/advise.md); absent when nothing measured o."""
    from lab.advise import model, text

    def answer(run: Run) -> str:
        measured = model.overheads(run.exercises.values())
        if not measured:
            return '<p class="muted">This run measured no slow-I/O phase to answer it from.</p>'
        cores = run.environment.get("cpu_count")
        q = model.Question(
            upstream_ms=EXAMPLE_MS,
            cpu_ms=EXAMPLE_CPU_MS,
            target_rps=EXAMPLE_RPS,
            workers=2,
            threads=8,
            cores=cores if isinstance(cores, int) and cores > 0 else 1,
        )
        return f'<pre class="advise">{e(text.render(q, model.answer(q, measured)))}</pre>'

    if not any(model.overheads(run.exercises.values()) for run in runs):
        return ""
    d, c, r = EXAMPLE_MS, EXAMPLE_CPU_MS, EXAMPLE_RPS
    return (
        '<h2 id="advise">Should we go async?</h2><p>Each server configuration\'s capacity for '
        f"a team whose views wait {d:g} ms on I/O and compute {c:g} ms, and who want "
        f"{r:g} req/s: the lower of Little's law for the waits and the CPU, with what each "
        "server was measured to spend around a view in this run. For your own numbers: "
        "<code>uv run lab advise --results RESULTS.json --upstream-ms D --cpu-ms C "
        "--target-rps R</code> (docs/advise.md).</p>" + one_above_the_other(runs, answer)
    )


def environment(runs: Sequence[Run]) -> str:
    return '<h2 id="environment">Environment</h2>' + one_above_the_other(runs, environment_of)


def placement(recorded: object) -> str:
    """Which CPUs the generator, the upstream and the servers ran on (LAB_PIN), or that they
    shared them; runs recorded before it was recorded say so."""
    if not isinstance(recorded, Mapping):
        return "not recorded"
    if not recorded.get("pinned"):
        return str(recorded.get("note") or "not pinned")
    parts = [f"{role} on CPU {recorded.get(role)}" for role in ("generator", "upstream", "servers")]
    return "pinned: " + "; ".join(parts)


def environment_of(run: Run) -> str:
    env = run.environment
    steal = env.get("cpu_steal_during_run")
    rows = [
        ("CPUs", env.get("cpu_count")),
        ("CPU model", env.get("cpu_model")),
        (
            "CPU stolen by the hypervisor during the run",
            "not measured" if steal is None else f"{steal:.1%}",
        ),
        ("load average at the start", env.get("load_average")),
        ("CPU placement", placement(env.get("placement"))),
        ("platform", env.get("platform")),
        ("Python", env.get("python")),
        *((name, env.get(name) or "not installed") for name in PACKAGES),
        ("short run (--short)", "yes" if run.doc.get("short") else "no"),
    ]
    table = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in rows)
    phases = []
    for ex in run.exercises.values():
        for p in ex.get("phases") or []:
            settings = ", ".join(f"{k}={v}" for k, v in (p.get("settings") or {}).items())
            upstream = ", ".join(f"{k}={v}" for k, v in (p.get("upstream_config") or {}).items())
            window = p.get("window") or {}
            app = p.get("apparatus") or {}
            steal_p = app.get("steal_fraction")
            phases.append(
                tr(
                    e(ex["name"]),
                    e(p["name"]),
                    e(p.get("server", "")),
                    e(settings),
                    e(upstream or "—"),
                    e(p.get("load", "")),
                    # The clock times of the window's ISO start and end (UTC).
                    f"{e(window.get('start', ''))[11:19]} to {e(window.get('end', ''))[11:19]}",
                    e("—" if steal_p is None else f"{steal_p:.1%}"),
                )
            )
    return (
        f'<table class="environment">{table}</table>'
        '<h3>Lab settings per phase</h3><table class="settings"><tr><th>exercise</th>'
        "<th>phase</th><th>server</th><th>settings</th><th>upstream</th><th>load</th>"
        f"<th>window (UTC)</th><th>steal</th></tr>{''.join(phases)}</table>"
    )


def grafana_section(runs: Sequence[Run], grafana: str) -> str:
    def links(run: Run) -> str:
        items = "".join(
            f'<li><a href="{e(url)}">{e(title)}</a></li>'
            for title, url in grafana_links(run, grafana)
        )
        return f'<ul class="grafana">{items}</ul>'

    return (
        '<h2 id="grafana">The same minutes in Grafana</h2><p>The dashboards of the compose '
        "stack (<code>lab compose up</code>), for this run's time range; its Prometheus keeps "
        "what it scraped, the phases marked by <code>lab_exercise_phase</code>.</p>"
        + side_by_side(runs, links)
    )


def links(runs: Sequence[Run], grafana: str) -> list[str]:
    """Every URL outside the page it links to (and loads nothing from)."""
    return [url for run in runs for _, url in grafana_links(run, grafana)]
