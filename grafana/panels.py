"""Panels and their place on the grid: the layout, the panel and target JSON, PromQL helpers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

DATASOURCE_UID = "lab-prometheus"
DS: dict[str, str] = {"type": "prometheus", "uid": DATASOURCE_UID}
# The window of a panel's own rate() over raw series: Grafana's, at least four scrape
# intervals and widening with the range, so a zoomed-out panel skips no samples. (The
# recording rules keep their fixed 30 s window, so the panels reading them agree.)
RATE_INTERVAL = "$__rate_interval"

Json = dict[str, Any]

# One colour per server on every panel, fixed by the series' name (legends start with the
# server): the Okabe-Ito orange and blue, told apart with any colour vision.
SERVER_COLORS = {"wsgi": "#E69F00", "asgi": "#0072B2"}
# References a series is compared with (a bound, a configured delay): neutral and dashed.
REFERENCE_COLOR = "#8E8E8E"


class Layout:
    """Places panels left to right on Grafana's 24-column grid; ids in placement order.

    The panels of a collapsed row live inside it (Grafana's format), placed where they
    will be once it is opened; the next row follows the collapsed one's single line."""

    def __init__(self) -> None:
        self.panels: list[Json] = []
        self.collapsed: Json | None = None  # the collapsed row being filled
        self.count = 0
        self.x = 0
        self.y = 0
        self.row_h = 0

    def add(self, panel: Json, w: int, h: int) -> None:
        if self.x + w > 24:
            self.newline()
        self._place(panel, w, h, self.x, self.y)
        self.x += w
        self.row_h = max(self.row_h, h)

    def _place(self, panel: Json, w: int, h: int, x: int, y: int) -> None:
        self.count += 1
        panel["id"] = self.count
        panel["gridPos"] = {"h": h, "w": w, "x": x, "y": y}
        (self.collapsed["panels"] if self.collapsed else self.panels).append(panel)

    def stack(self, panels: Sequence[tuple[Json, int]], w: int) -> None:
        """Panels one above the other in a column `w` wide: (panel, height) from the top."""
        if self.x + w > 24:
            self.newline()
        top = self.y
        for panel, h in panels:
            self._place(panel, w, h, self.x, self.y)
            self.y += h
        self.row_h = max(self.row_h, self.y - top)
        self.y = top
        self.x += w

    def newline(self) -> None:
        if self.x:
            self.y += self.row_h
        self.x, self.row_h = 0, 0

    def row(self, title: str, *, collapsed: bool = False) -> None:
        """A row header; the panels added after it, up to the next row, are its own."""
        self.newline()
        if self.collapsed:
            self.y = self.collapsed["gridPos"]["y"] + 1
            self.collapsed = None
        header: Json = {"type": "row", "title": title, "collapsed": collapsed, "panels": []}
        self.add(header, 24, 1)
        self.newline()
        if collapsed:
            self.collapsed = header


def target(expr: str, legend: str, ref: str) -> Json:
    return {"datasource": DS, "expr": expr, "legendFormat": legend, "refId": ref, "range": True}


def table_target(expr: str, ref: str) -> Json:
    """An instant query whose series become rows, their labels columns."""
    return {
        "datasource": DS,
        "expr": expr,
        "format": "table",
        "instant": True,
        "range": False,
        "refId": ref,
    }


def _targets(queries: Sequence[tuple[str, str]]) -> list[Json]:
    return [target(e, legend, chr(ord("A") + i)) for i, (e, legend) in enumerate(queries)]


def timeseries(
    title: str,
    description: str,
    queries: Sequence[tuple[str, str]],
    unit: str,
    *,
    log: bool = False,
    overrides: Sequence[Json] = (),
    thresholds: Sequence[tuple[float, str]] = (),
    no_value: str = "",
    links: Sequence[Json] = (),
) -> Json:
    """Thresholds are dashed lines, and the axis reaches a little above the highest even
    while the data stays far below it (a soft maximum), so the line is always in view."""
    custom: Json = {"drawStyle": "line", "lineWidth": 2, "fillOpacity": 8, "showPoints": "never"}
    if log:
        custom["scaleDistribution"] = {"type": "log", "log": 10}
    if thresholds:
        custom["thresholdsStyle"] = {"mode": "dashed"}
        custom["axisSoftMax"] = max(v for v, _ in thresholds) * 1.25
    return {
        "type": "timeseries",
        "title": title,
        "description": description,
        "datasource": DS,
        "targets": _targets(queries),
        "fieldConfig": {
            "defaults": {
                "unit": unit,
                # A log axis has no 0: left unset there (the schema's min is a number).
                **({} if log else {"min": 0}),
                "custom": custom,
                "thresholds": _thresholds(thresholds),
                **_no_value(no_value),
            },
            "overrides": list(overrides),
        },
        **({"links": list(links)} if links else {}),
        "options": {
            "legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
            "tooltip": {"mode": "multi", "sort": "desc"},
        },
    }


def stat(
    title: str,
    description: str,
    queries: Sequence[tuple[str, str]],
    unit: str,
    *,
    thresholds: Sequence[tuple[float, str]] = (),
    mappings: Sequence[Json] = (),
    text_mode: str = "value_and_name",
    overrides: Sequence[Json] = (),
    no_value: str = "",
) -> Json:
    return {
        "type": "stat",
        "title": title,
        "description": description,
        "datasource": DS,
        "targets": _targets(queries),
        "fieldConfig": {
            "defaults": {
                "unit": unit,
                "thresholds": _thresholds(thresholds),
                "mappings": list(mappings),
                **_no_value(no_value),
            },
            "overrides": list(overrides),
        },
        "options": {
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            "colorMode": "value",
            "graphMode": "none",
            "textMode": text_mode,
            "justifyMode": "auto",
            "orientation": "auto",
        },
    }


def table(
    title: str,
    description: str,
    expr: str,
    columns: Sequence[tuple[str, str]],
    *,
    no_value: str = "",
) -> Json:
    """One row per series of `expr`, showing only these (label, header) columns in order."""
    shown = [label for label, _ in columns]
    return {
        "type": "table",
        "title": title,
        "description": description,
        "datasource": DS,
        "targets": [table_target(expr, "A")],
        "fieldConfig": {
            "defaults": {"custom": {"align": "auto"}, **_no_value(no_value)},
            "overrides": [],
        },
        "options": {"showHeader": True, "cellHeight": "sm", "footer": {"show": False}},
        "transformations": [
            # Only the chosen labels: not the time, the value (always 1), job, instance...
            {"id": "filterFieldsByName", "options": {"include": {"names": shown}}},
            {
                "id": "organize",
                "options": {
                    "indexByName": {label: i for i, label in enumerate(shown)},
                    "renameByName": dict(columns),
                },
            },
        ],
    }


def text(title: str, markdown: str) -> Json:
    """Words, no query."""
    return {
        "type": "text",
        "title": title,
        "options": {"mode": "markdown", "content": markdown},
    }


def _no_value(text: str) -> Json:
    """What a panel says instead of "No data" (e.g. while its data waits for traffic)."""
    return {"noValue": text} if text else {}


def _thresholds(steps: Sequence[tuple[float, str]]) -> Json:
    base: list[Json] = [{"color": "green", "value": None}]
    return {"mode": "absolute", "steps": base + [{"color": c, "value": v} for v, c in steps]}


def by_regex_dashed(pattern: str) -> Json:
    return {
        "matcher": {"id": "byRegexp", "options": pattern},
        "properties": [
            {"id": "custom.lineStyle", "value": {"fill": "dash", "dash": [10, 10]}},
            {"id": "custom.fillOpacity", "value": 0},
        ],
    }


def server_colors(*, shades: bool = False) -> list[Json]:
    """Each server's fixed colour on the series whose name starts with it; `shades`: several
    series of a server (routes, percentiles, pids) in shades of its colour."""
    mode = "shades" if shades else "fixed"
    return [
        {
            "matcher": {"id": "byRegexp", "options": f"^{server}\\b"},
            "properties": [{"id": "color", "value": {"mode": mode, "fixedColor": color}}],
        }
        for server, color in SERVER_COLORS.items()
    ]


def reference(pattern: str) -> Json:
    """The one style of a reference line (a bound, a configured value): neutral, dashed,
    thin, unfilled. Placed after `server_colors`, whose colour it overrides."""
    return {
        "matcher": {"id": "byRegexp", "options": pattern},
        "properties": [
            {"id": "color", "value": {"mode": "fixed", "fixedColor": REFERENCE_COLOR}},
            {"id": "custom.lineStyle", "value": {"fill": "dash", "dash": [10, 10]}},
            {"id": "custom.lineWidth", "value": 1},
            {"id": "custom.fillOpacity", "value": 0},
        ],
    }


def rate(selector: str) -> str:
    return f"rate({selector}[{RATE_INTERVAL}])"


def quantile(q: str, metric: str, by: str, selector: str = "") -> str:
    inner = f"{metric}_bucket{{{selector}}}" if selector else f"{metric}_bucket"
    return f"histogram_quantile({q}, sum by ({by}) ({rate(inner)}))"
