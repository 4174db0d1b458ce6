"""What the dashboards query, traced back to the metrics contract (docs/metrics.md)."""

import re
from functools import cache

import yaml
from dashboard_queries import Query, queries

from contracts.paths import REPO
from grafana.generate import DASHBOARDS
from grafana.panels import Json
from lab import prometheus

METRICS_MD = REPO / "docs" / "metrics.md"
SERVER_PREFIX = re.compile(r"^(WSGI|ASGI): ")
# Series Prometheus makes itself (per scrape) or exports about itself: listed in metrics.md
# like the lab's own when a panel reads them.
PROMETHEUS_SERIES = ("scrape_", "prometheus_")


@cache
def built() -> dict[str, Json]:
    return {name: build() for name, build in DASHBOARDS.items()}


@cache
def rules() -> dict[str, str]:
    """Recording rule name -> its expressions (joined when a name has several rules)."""
    found: dict[str, str] = {}
    for path in sorted(prometheus.RULES_DIR.glob("*.yml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                found[rule["record"]] = found.get(rule["record"], "") + "\n" + rule["expr"]
    return found


def mentions(expr: str, name: str) -> bool:
    suffix = r"(?:_bucket|_sum|_count)?" if not name.endswith("_total") else ""
    return re.search(rf"(?<![\w:]){re.escape(name)}{suffix}(?![\w:])", expr) is not None


def uses(expr: str, name: str, depth: int = 0) -> bool:
    """Whether the expression reads `name`, directly or through recording rules."""
    if mentions(expr, name):
        return True
    assert depth < 10, "recording rules refer to each other in a cycle"
    return any(mentions(expr, r) and uses(e, name, depth + 1) for r, e in rules().items())


def panel_label(q: Query) -> str:
    return SERVER_PREFIX.sub("", q.panel)


def panels_using(name: str) -> dict[str, list[str]]:
    """Dashboard title -> panels (server prefixes folded) whose queries read `name`."""
    found: dict[str, list[str]] = {}
    for d in built().values():
        for q in queries(d):
            if uses(q.expr, name):
                labels = found.setdefault(q.dashboard, [])
                if panel_label(q) not in labels:
                    labels.append(panel_label(q))
    return found


def cell(found: dict[str, list[str]]) -> str:
    """The panel column of docs/metrics.md for these panels."""
    if not found:
        return "—"
    return "; ".join(f"{d} > {' · '.join(panels)}" for d, panels in found.items())


def contract_rows() -> dict[str, str]:
    """Metric (or recording rule) name -> its panel cell, from every table of metrics.md."""
    rows = {}
    for line in METRICS_MD.read_text().splitlines():
        m = re.match(r"^\| `([\w:]+)` \|.*\|\s*([^|]*?)\s*\|$", line)
        if m:
            rows[m.group(1)] = m.group(2).strip()
    return rows


def names_in(expr: str) -> set[str]:
    """Identifiers that look like metric or rule names: the lab's and Prometheus's own."""
    words = set(re.findall(r"(?<![\w:\"])[a-zA-Z_][\w:]*", expr))
    lab = ("lab_", "upstream_", "locust_", *PROMETHEUS_SERIES)
    return {w for w in words if w.startswith(lab) or ":" in w or w == "up"}


def variable_rows() -> set[tuple[str, str, str, str]]:
    """(variable, dashboard, metric, label) from the template-variable table of metrics.md."""
    rows = set()
    for line in METRICS_MD.read_text().splitlines():
        m = re.match(r"^\| `\$(\w+)` \| ([^|]+?) \| `([\w:]+)` \| `(\w+)` \|", line)
        if m:
            rows.add((m.group(1), m.group(2), m.group(3), m.group(4)))
    return rows
