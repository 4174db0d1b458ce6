"""Health, the bystander and the metrics page, on both handlers."""

from __future__ import annotations

import os

from django.conf import settings
from django_clients import Caller

from contracts.processes import process_start


def test_healthz_answers_ok_and_says_what_server_this_is(client: Caller) -> None:
    answer = client.get("/healthz")
    body = answer.json()
    assert (answer.status, body["status"], body["server"]) == (200, "ok", client.server)
    assert body["settings"] == settings.LAB.server_shaping()
    assert body["extra_middleware"] == settings.EXTRA_MIDDLEWARE
    # The test client runs the view in this process.
    assert body["process"] == {"pid": os.getpid(), "started": process_start()}


def test_ping_names_the_server_that_answered(client: Caller) -> None:
    answer = client.get("/ping")
    assert (answer.status, answer.json()) == (200, {"pong": True, "server": client.server})


def test_metrics_page_is_prometheus_text_with_this_server(client: Caller) -> None:
    client.get("/ping")
    answer = client.get("/metrics")
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("text/plain")
    text = answer.body.decode()
    series = f'{{method="GET",route="ping",server="{client.server}"'
    assert f"lab_http_request_duration_seconds_count{series}" in text
    assert f'lab_process_threads{{server="{client.server}"}}' in text


def test_unknown_path_is_a_json_404(client: Caller) -> None:
    answer = client.get("/no/such/page")
    assert answer.status == 404
    assert answer.json() == {"error": "not found", "path": "/no/such/page"}
