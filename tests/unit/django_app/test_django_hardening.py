"""Hardening by default, the same on both handlers: security headers on every answer, and
every misuse answered with the lab's JSON errors (including /metrics)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django_clients import Caller

from contracts.paths import REPO

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


@pytest.mark.parametrize("path", ["/ping", "/metrics", "/no/such/page", "/ping?x=1"])
def test_every_answer_carries_the_security_headers(client: Caller, path: str) -> None:
    answer = client.get(path)
    for name, value in HEADERS.items():
        assert answer.headers.get(name) == value, (path, name)


def test_metrics_refuses_unknown_parameters_like_every_endpoint(client: Caller) -> None:
    answer = client.get("/metrics?name=lab_http_request_duration_seconds_count")
    assert answer.status == 400
    assert answer.json()["parameter"] == "name"


def test_metrics_answers_a_wrong_method_with_the_json_405(client: Caller) -> None:
    answer = client.get("/metrics", method="POST")
    assert answer.status == 405
    assert answer.json() == {"error": "method POST not allowed", "allowed": ["GET", "HEAD"]}
    assert answer.headers["Allow"] == "GET, HEAD"


def test_too_many_query_fields_is_a_json_400(client: Caller) -> None:
    query = "&".join(f"f{i}=1" for i in range(1_500))
    answer = client.get("/ping?" + query)
    assert answer.status == 400
    assert answer.json()["error"] == "bad request"


# The warnings of `check --deploy` that stay, each explained in docs/endpoints.md.
DOCUMENTED_EXCEPTIONS = {"security.W001", "security.W002", "security.W003"}


def test_check_deploy_shows_only_the_documented_exceptions(tmp_path: Path) -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "django_app.settings"}
    env["LAB_VAR_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    found = set(re.findall(r"\((security\.\w+)\)", done.stdout + done.stderr))
    assert found == DOCUMENTED_EXCEPTIONS
    doc = (REPO / "docs" / "endpoints.md").read_text()
    assert all(warning in doc for warning in DOCUMENTED_EXCEPTIONS)


@pytest.mark.parametrize(("host", "status"), [("evil.example", 400), ("localhost:8001", 200)])
def test_only_the_labs_host_names_are_served(host: str, status: int) -> None:
    response = Client(HTTP_HOST=host).get("/ping")
    assert response.status_code == status
    if status == 400:
        assert response.json()["error"] == "bad request"


def test_a_head_answer_has_no_body_but_says_its_length() -> None:
    from django.test import RequestFactory

    from django_app.views.basic import ping

    factory = RequestFactory()
    got = ping(factory.get("/ping"))
    head = ping(factory.head("/ping"))
    assert head.status_code == 200
    assert head.content == b""
    assert head["Content-Length"] == str(len(got.content))
