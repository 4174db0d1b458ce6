"""The pages' refusals: the same bounds as every endpoint, as JSON for a script and as an HTML
page for a browser (the unit suite's upstream is a closed port, so a valid page is a 502)."""

from __future__ import annotations

import pytest
from django.test import AsyncClient, Client
from django_clients import Caller

from django_app.errors import wants_html

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PAGES = ["/page/sync", "/page/async", "/page/async-blocking"]


@pytest.mark.parametrize("path", PAGES)
def test_a_bad_parameter_is_a_json_400_for_a_script(client: Caller, path: str) -> None:
    answer = client.get(f"{path}?delay_ms=99999")
    assert answer.status == 400
    assert answer.json()["parameter"] == "delay_ms"


@pytest.mark.parametrize("path", PAGES)
def test_render_work_and_delay_share_the_request_budget(client: Caller, path: str) -> None:
    answer = client.get(f"{path}?delay_ms=29000&cpu_ms=1001")
    assert answer.status == 400
    assert answer.json()["parameter"] == "delay_ms,cpu_ms"


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        ("/page/sync?cpu_ms=-1", 400, "cpu_ms"),
        ("/page/async?delay_ms=5", 502, "upstream unreachable"),
        ("/nowhere", 404, "not found"),
        ("/io/sync?bogus=1", 400, "unknown parameter"),
    ],
)
def test_a_browser_gets_its_errors_as_a_page(
    client: Caller, path: str, status: int, says: str
) -> None:
    headers = {"Accept": BROWSER_ACCEPT}
    if client.server == "wsgi":
        sync = Client().get(path, headers=headers)
        got = (sync.status_code, sync.headers, sync.content)
    else:
        asyn = client.runner.run(AsyncClient().get(path, headers=headers))
        got = (asyn.status_code, asyn.headers, asyn.content)
    code, response_headers, body = got
    assert code == status
    assert response_headers["Content-Type"].startswith("text/html")
    page = body.decode()
    assert page.startswith("<!doctype html>")
    assert says in page
    assert "Server-Timing" in response_headers


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        (BROWSER_ACCEPT, True),
        ("text/html", True),
        ("application/json", False),
        ("*/*", False),  # curl, Locust, urllib
        ("", False),
        ("text/htmlx", False),
    ],
)
def test_only_a_client_naming_html_gets_html(accept: str, html: bool) -> None:
    from django.test import RequestFactory

    request = RequestFactory(headers={"Accept": accept} if accept else {}).get("/")
    assert wants_html(request) is html
