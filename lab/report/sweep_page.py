"""A sweep's page: what was swept, each delay's throughput against concurrency with every
server's bound and knee, each server's heatmap of throughput ÷ bound, the knees explained,
the points as a table, the environment, and Grafana for the sweep's minutes.

Every measured point's throughput is printed in a `<span class="num"
data-key="<server>/<delay>/<users>/throughput">`, so a test can hold the page to its JSON."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from contracts.dashboards import DASHBOARDS
from lab.exercise.verdict import fmt
from lab.report import sweep_charts
from lab.report.page import CSS, compact, e, placement

CAPTIONS = {
    "sweep-throughput": "Throughput against concurrency at one upstream delay D, one line per "
    "server; dashed: its Little's-law bound min(C, N)÷D (N: the requests the server holds at "
    "once; an event loop has no N in reach, so its bound is C÷D); ✕: the knee, where the "
    "curve stops following its bound or the p99 passes 2 × D.",
    "sweep-heatmap": "Throughput ÷ its bound for each concurrency (columns) and delay (rows): "
    "1 follows Little's law, lower is a server held back; blank: not run (past the knee).",
}


def times(doc: Mapping[str, Any]) -> tuple[int, int]:
    start, end = (datetime.datetime.fromisoformat(doc[k]) for k in ("started_at", "finished_at"))
    return int(start.timestamp() * 1000), int(end.timestamp() * 1000)


def links(doc: Mapping[str, Any], grafana: str) -> list[str]:
    start, end = times(doc)
    return [f"{grafana}{d.path}?from={start}&to={end}" for d in DASHBOARDS]


def render(doc: Mapping[str, Any], label: str, grafana: str) -> str:
    settings = doc.get("settings") or {}
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>asynclab sweep: {e(label)}</title><style>{CSS}</style></head><body>",
        "<h1>asynclab sweep</h1>",
        f'<p class="muted">{e(label)}: {e(doc["started_at"])} to {e(doc["finished_at"])}'
        f"{' (--quick)' if doc.get('quick') else ''}. Bound: {e(settings.get('bound', ''))}."
        "</p>",
        servers_table(doc),
        knees(doc),
        '<h2 id="charts">Throughput against concurrency</h2>',
    ]
    for chart in sweep_charts.charts(doc):
        parts.append(
            f'<figure class="chart" id="{e(chart.id)}" data-kind="{e(chart.kind)}" '
            f'data-series="{e(" ".join(chart.series))}" '
            f'data-bounds="{e(" ".join(chart.bounds))}">{compact(chart.svg)}'
            f"<figcaption>{e(CAPTIONS[chart.kind])}</figcaption></figure>"
        )
    parts += [points(doc), environment(doc), grafana_section(doc, grafana), "</body></html>"]
    return "\n".join(parts) + "\n"


def servers_table(doc: Mapping[str, Any]) -> str:
    rows = []
    for name, s in (doc.get("servers") or {}).items():
        limit = s.get("limit")
        rows.append(
            f"<tr><th>{e(name)}</th><td>{e(s.get('implementation'))} "
            f"({e(s.get('worker_class'))}), {e(s.get('workers'))} workers</td>"
            f"<td>{e(limit if limit is not None else 'no limit in reach')}</td>"
            f"<td>{e(s.get('path'))}</td><td>{e(s.get('placement') or 'own server')}</td></tr>"
        )
    head = "<tr><th>server</th><th>as run</th><th>N</th><th>path</th><th>where</th></tr>"
    return f'<h2 id="servers">What was swept</h2><table>{head}{"".join(rows)}</table>'


def knees(doc: Mapping[str, Any]) -> str:
    rows = []
    for c in doc["curves"]:
        knee = c.get("knee")
        where = f"C={knee['users']} ({e(knee.get('cause'))})" if knee else "none in the points run"
        why = e(knee.get("explanation", "")) if knee else ""
        rows.append(
            f"<tr><td>{e(c['server'])}</td><td>{e(fmt(float(c['delay_ms'])))} ms</td>"
            f"<td>{where}</td><td>{why}</td></tr>"
        )
    head = "<tr><th>server</th><th>delay D</th><th>knee</th><th>why</th></tr>"
    return f'<h2 id="knees">The knees</h2><table>{head}{"".join(rows)}</table>'


def points(doc: Mapping[str, Any]) -> str:
    head = (
        "<tr><th>server</th><th>D (ms)</th><th>users</th><th>req/s</th><th>bound</th>"
        "<th>ratio</th><th>p50 ms</th><th>p99 ms</th><th>errors</th></tr>"
    )
    rows = []
    for c in doc["curves"]:
        d = fmt(float(c["delay_ms"]))
        for p in c.get("points") or []:
            cells = [e(c["server"]), e(d), e(p["users"])]
            if p.get("status") != "measured":
                rows.append(
                    "<tr>" + "".join(f"<td>{x}</td>" for x in cells)
                    + f'<td colspan="6" class="muted">{e(p.get("why", p.get("status")))}</td></tr>'
                )  # fmt: skip
                continue
            key = f"{c['server']}/{d}/{p['users']}/throughput"
            rps = float(p["throughput_rps"])
            cells += [
                f'<span class="num" data-key="{e(key)}">{e(fmt(rps))}</span>',
                e(fmt(float(p["bound_rps"]))),
                e(f"{float(p['ratio']):.2f}"),
                e(fmt(float(p["p50_ms"]))),
                e(fmt(float(p["p99_ms"]))),
                e(p.get("errors", 0)),
            ]
            rows.append("<tr>" + "".join(f"<td>{x}</td>" for x in cells) + "</tr>")
    return f'<h2 id="points">Every point</h2><table>{head}{"".join(rows)}</table>'


def environment(doc: Mapping[str, Any]) -> str:
    env = doc.get("environment") or {}
    steal = env.get("cpu_steal_during_run")
    rows = [
        ("CPUs", env.get("cpu_count")),
        ("CPU model", env.get("cpu_model")),
        ("CPU stolen by the hypervisor", "not measured" if steal is None else f"{steal:.1%}"),
        ("load average at the start", env.get("load_average")),
        ("CPU placement", placement(env.get("placement"))),
        ("Python", env.get("python")),
    ]
    table = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in rows)
    return f'<h2 id="environment">Environment</h2><table>{table}</table>'


def grafana_section(doc: Mapping[str, Any], grafana: str) -> str:
    items = "".join(
        f'<li><a href="{e(url)}">{e(d.title)}</a></li>'
        for d, url in zip(DASHBOARDS, links(doc, grafana), strict=True)
    )
    return (
        '<h2 id="grafana">The same minutes in Grafana</h2><p>The dashboards of the compose '
        "stack, for the sweep's time range.</p>"
        f'<ul class="grafana">{items}</ul>'
    )
