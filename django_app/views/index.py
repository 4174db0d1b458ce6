"""`/`: a page for a person who opens the server's URL: every endpoint with a clickable
example, and where to look next (dashboards, Locust, Prometheus, the docs)."""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, get_resolver

from contracts.dashboards import DASHBOARDS
from contracts.settings import LabSettings
from contracts.values import Spec
from django_app.endpoint import endpoint
from django_app.observability.server import server_of

# What the example link of an endpoint asks for when a parameter has no default of its own.
EXAMPLE_DELAY_MS = 200


def _example(path: str, spec: dict[str, Spec]) -> str:
    values: dict[str, object] = {}
    for name, kind in spec.items():
        if kind.default is None:
            values[name] = EXAMPLE_DELAY_MS
        elif kind.kind == "flag":
            values[name] = int(bool(kind.default))
        else:
            values[name] = kind.default
    return "/" + path + ("?" + urlencode(values) if values else "")


def _rows() -> list[str]:
    rows = []
    for pattern in get_resolver().url_patterns:
        if not isinstance(pattern, URLPattern) or not hasattr(pattern.callback, "params"):
            continue
        path = str(pattern.pattern)
        if not path:
            continue  # this page
        spec: dict[str, Spec] = pattern.callback.params
        kind = "async" if iscoroutinefunction(pattern.callback) else "sync"
        params = ", ".join(f"{name} {s.describe()}" for name, s in spec.items()) or "none"
        link = _example(path, spec)
        rows.append(
            f"<tr><td><a href='{escape(link)}'>{escape(link)}</a></td><td>{kind}</td>"
            f"<td>{escape(params)}</td></tr>"
        )
    return rows


def _links(lab: LabSettings) -> list[str]:
    grafana = lab.url(lab.grafana_port)
    links = [
        f"<li><a href='{escape(grafana + d.path)}'>Grafana: {escape(d.title)}</a></li>"
        for d in DASHBOARDS
    ]
    links += [
        f"<li><a href='{escape(lab.url(lab.locust_web_port))}'>Locust web UI</a></li>",
        f"<li><a href='{escape(lab.url(lab.prometheus_port))}'>Prometheus</a></li>",
        f"<li><a href='{escape(lab.url(lab.upstream_port))}'>the slow upstream</a></li>",
    ]
    return links


@endpoint()
def index(request: HttpRequest) -> HttpResponse:
    server = server_of(request)
    lab: LabSettings = settings.LAB
    body = "\n".join(
        [
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
            f"<title>asynclab: Django ({server})</title></head><body>",
            f"<h1>asynclab: the Django app on the {server.upper()} server</h1>",
            "<p>The same endpoints answer on both servers. Parameters, bounds and errors: "
            "docs/endpoints.md in the repository.</p>",
            "<table><tr><th>example</th><th>view</th><th>parameters (bounds, default)</th></tr>",
            *_rows(),
            "</table><h2>Where to look</h2><ul>",
            *_links(lab),
            "</ul></body></html>",
        ]
    )
    return HttpResponse(body, content_type="text/html; charset=utf-8")
