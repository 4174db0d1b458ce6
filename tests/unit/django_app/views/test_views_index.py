"""`/`: a page for a person, with every endpoint as a clickable example on both servers."""

from __future__ import annotations

import re
from html import unescape

from django_clients import Caller, sync_stream_warning


def test_the_index_is_a_page_listing_every_endpoint(client: Caller) -> None:
    answer = client.get("/")
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("text/html")
    page = answer.body.decode()
    assert f"the {client.server.upper()} server" in page
    links = {unescape(link) for link in re.findall(r"href='(/[^']*)'", page)}
    for example in ("/ping", "/io/sync?delay_ms=200", "/io/async?delay_ms=200", "/metrics"):
        assert example in links, example
    assert "/d/lab-sync-vs-async" in page


def test_every_example_on_the_index_answers(client: Caller) -> None:
    page = client.get("/").body.decode()
    for link in sorted({unescape(link) for link in re.findall(r"href='(/[^']*)'", page)}):
        if link.startswith(("/io", "/fanout", "/page")):
            continue  # they call the upstream, not running in unit tests
        with sync_stream_warning(client.server, link):
            status = client.get(link.replace("delay_ms=200", "delay_ms=1")).status
        assert status == 200, link
