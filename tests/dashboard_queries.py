"""What a built dashboard asks Prometheus: its queries and its template variables, and a query
as Grafana sends it once the variables have values. Shared by the offline dashboard tests
(tests/unit/grafana) and the live ones (tests/integration/grafana); importable from both
because pytest puts this directory, the one of the top conftest.py, on sys.path."""

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from grafana.panels import Json


@dataclass(frozen=True)
class Query:
    """One PromQL query of a dashboard: a panel's target or an annotation."""

    dashboard: str  # the dashboard's title
    panel: str  # the panel's title, or "annotation: NAME"
    expr: str

    @property
    def is_annotation(self) -> bool:
        return self.panel.startswith("annotation: ")


# Grafana's own variables, as it would fill them for the default 15-minute range at the
# datasource's 2 s scrape interval ($__rate_interval: at least four scrape intervals).
BUILT_INS = {"__range": "15m", "__rate_interval": "8s"}


def panels(d: Json) -> Iterator[Json]:
    """Every panel, those inside collapsed rows included."""
    for panel in d["panels"]:
        yield panel
        yield from panel.get("panels", [])


def used_variables(expr: str) -> set[str]:
    """The dashboard's own variables an expression uses (Grafana's built-ins left out)."""
    return {v for v in re.findall(r"\$(\w+)", expr) if v not in BUILT_INS}


def queries(d: Json) -> list[Query]:
    found = [
        Query(d["title"], f"annotation: {a['name']}", a["expr"])
        for a in d["annotations"]["list"]
        if "expr" in a
    ]
    for panel in panels(d):
        for t in panel.get("targets", []):
            found.append(Query(d["title"], panel["title"], t["expr"]))
    return found


def variables(d: Json) -> dict[str, tuple[str, str]]:
    """Each query variable's (metric selector, label) from its `label_values(...)`."""
    found = {}
    for v in d["templating"]["list"]:
        m = re.fullmatch(r"label_values\((.+), (\w+)\)", v["definition"])
        if m is None:
            raise ValueError(f"{d['title']}: variable {v['name']}: unexpected {v['definition']}")
        found[v["name"]] = (m.group(1), m.group(2))
    return found


def substitute(expr: str, values: Mapping[str, Sequence[str]]) -> str:
    """The expression as Grafana sends it when each variable has these values (a regex
    alternation, as Grafana formats a multi-value variable inside `=~`); Grafana's built-ins
    as it fills them for the default range."""

    def one(m: re.Match[str]) -> str:
        if m.group(1) in BUILT_INS:
            return BUILT_INS[m.group(1)]
        # Regex-escaped, then escaped again for the PromQL string literal.
        chosen = [re.escape(v).replace("\\", "\\\\") for v in values[m.group(1)]]
        return "(" + "|".join(chosen) + ")" if len(chosen) != 1 else chosen[0]

    return re.sub(r"\$(\w+)", one, expr)
