"""The dashboard around the panels: its settings, template variables, annotations, links."""

from __future__ import annotations

from collections.abc import Sequence

from contracts.dashboards import Dashboard
from grafana.panels import DS, Json

TAG = "asynclab"


def query_variable(
    name: str, label: str, metric: str, description: str, *, all_value: str | None = None
) -> Json:
    """A multi-value variable over a label's values, "All" by default. With `all_value`,
    "All" is that regex rather than the list of the values seen at the last refresh (the
    queries then exclude what the list would have)."""
    query = f"label_values({metric}, {name})"
    return {
        "type": "query",
        "name": name,
        "label": label,
        "description": description,
        "datasource": DS,
        "query": {"query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery"},
        "definition": query,
        "refresh": 2,  # on time-range change: new routes appear without reloading
        "multi": True,
        "includeAll": True,
        **({"allValue": all_value} if all_value is not None else {}),
        "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
        "sort": 1,
        "hide": 0,
    }


def panel_link(to: Dashboard) -> Json:
    """A panel link to another dashboard of the lab, on the same time range."""
    return {"title": f"{to.title} dashboard", "url": to.path + "?${__url_time_range}"}


def annotation(name: str, expr: str, title: str, text: str, tags: str, color: str) -> Json:
    """A Prometheus annotation: each run of samples of a series becomes one region."""
    return {
        "name": name,
        "datasource": DS,
        "enable": True,
        "hide": False,
        "iconColor": color,
        "expr": expr,
        "step": "5s",
        "titleFormat": title,
        "textFormat": text,
        "tagKeys": tags,
        "useValueForTime": False,
    }


BUILTIN_ANNOTATION: Json = {
    "builtIn": 1,
    "datasource": {"type": "grafana", "uid": "-- Grafana --"},
    "enable": True,
    "hide": True,
    "iconColor": "rgba(0, 211, 255, 1)",
    "name": "Annotations & Alerts",
    "type": "dashboard",
}

LOAD_TEST_ANNOTATION = annotation(
    "Load test",
    'locust_runner_state{state=~"spawning|running"} == 1',
    "Locust {{state}}: {{target}}",
    "the load generator is {{state}}, loading {{target}}",
    "state,target",
    "rgba(128, 128, 128, 0.35)",  # neutral: orange and blue are the servers' colours
)
# Served by `lab exercise run` (`lab_exercise_phase{exercise, phase} 1` while a phase is
# measured, lab/exercise/phase_gauge.py): see docs/metrics.md.
EXERCISE_ANNOTATION = annotation(
    "Exercise phase",
    "lab_exercise_phase == 1",
    "{{exercise}}",
    "phase {{phase}}",
    "exercise,phase",
    "rgba(204, 121, 167, 0.45)",  # Okabe-Ito reddish purple, apart from both servers
)


def dashboard(
    uid: str,
    title: str,
    description: str,
    panels: list[Json],
    *,
    variables: Sequence[Json] = (),
    annotations: Sequence[Json] = (),
) -> Json:
    return {
        "uid": uid,
        "id": None,
        "title": title,
        "description": description,
        "tags": [TAG],
        "timezone": "browser",
        "editable": False,
        "graphTooltip": 1,  # shared crosshair: the same instant on every panel
        "refresh": "5s",
        "time": {"from": "now-15m", "to": "now"},
        "timepicker": {"refresh_intervals": ["2s", "5s", "10s", "30s", "1m"]},
        "schemaVersion": 39,
        "version": 1,
        "annotations": {"list": [BUILTIN_ANNOTATION, *annotations]},
        "templating": {"list": list(variables)},
        "links": [
            {
                "type": "dashboards",
                "title": "asynclab",
                "tags": [TAG],
                "asDropdown": False,
                "includeVars": False,
                "keepTime": True,
            }
        ],
        "panels": panels,
    }
