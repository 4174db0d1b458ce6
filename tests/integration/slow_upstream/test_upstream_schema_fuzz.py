"""The upstream against its own OpenAPI schema: schemathesis generates requests for every
operation from the live `/openapi.json` (valid and invalid ones) and checks each answer: no
unintended 5xx, and a documented status code, content type, headers and body.

The upstream injects faults on request, so a valid request may ask for one (`error_rate=1`,
`hang_rate=1`, `reset_rate=1`). Delays are capped at 50 ms (`SLOW_MAX_DELAY_MS`) so no valid
request waits long, and a fault passes only when this request asked for it and it is marked
as injected: an error's body is `{"error":"injected","status":N}`; a hang or a reset closes
the connection without an answer. The runtime config is reset after every example, so a
`PUT /config` cannot leak into the next one. docs/reliability.md has the figures."""

from __future__ import annotations

import json
import os
import urllib.request
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case as AnyCase
from schemathesis import CheckContext, Response
from schemathesis.checks import not_a_server_error
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from contracts.settings import LabSettings
from lab.runner import running, with_free_ports
from slow_upstream.knobs import BY_NAME, KNOBS

pytestmark = pytest.mark.integration

MAX_DELAY_MS = 50
EXAMPLES = 50  # per operation, in the fuzzing phase; the coverage phase adds its own
SEEN: Counter[str] = Counter()
Case = AnyCase[Any]  # of any operation


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = with_free_ports(
        LabSettings(lab_var_dir=str(tmp_path_factory.mktemp("var"))), "upstream"
    )
    # Every knob pinned (the real environment wins over a .env), so a fault rate someone left
    # in theirs cannot pass for a fault the request asked for.
    knobs = {k.env: "" if k.default is None else str(k.default) for k in KNOBS}
    cap = str(MAX_DELAY_MS)
    knobs |= {"SLOW_MAX_DELAY_MS": cap, "SLOW_HANG_MS": cap, "SLOW_DELAY_MS": "0"}
    env = {**os.environ, **knobs}
    with running("upstream", settings, base_env=env) as url:
        yield url
    print(f"\nupstream schema fuzz: {dict(sorted(SEEN.items()))}")


@pytest.fixture
def upstream_schema(upstream: str, request: pytest.FixtureRequest) -> schemathesis.BaseSchema:
    # schemathesis 4.32's lazy schemas read and rename `node._nodeid`, which pytest 9.2 no
    # longer has: give it one (it only names the operation under test in reports).
    request.node._nodeid = request.node.nodeid
    return schemathesis.openapi.from_url(upstream + "/openapi.json")


def asked_for(case: Case, knob_name: str) -> bool:
    """Whether the request set this knob above 0: by query, or else by its header (the
    upstream's own precedence). Anything unparsable asks for nothing (the upstream refuses it)."""
    knob = BY_NAME[knob_name]
    query = case.query or {}
    headers = {str(k).lower(): v for k, v in (case.headers or {}).items()}
    value = query[knob.name] if knob.name in query else headers.get(knob.header.lower())
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else None
    try:
        return float(str(value)) > 0.0
    except ValueError:
        return False


def _marked_injected(response: Response) -> bool:
    try:
        body = json.loads(response.content)
    except ValueError:
        return False
    return bool(body == {"error": "injected", "status": response.status_code})


@schemathesis.check
def faults_only_when_asked(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """`not_a_server_error`, except for an error this request asked for and the upstream
    marked as injected; a marked error nobody asked for fails too."""
    if _marked_injected(response):
        assert asked_for(case, "error_rate"), "an injected error the request did not ask for"
        return None
    return not_a_server_error(ctx, response, case)


CHECKS = [
    faults_only_when_asked,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _reset_config(base: str) -> None:
    req = urllib.request.Request(base + "/config", method="DELETE")
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 200


schema = schemathesis.pytest.from_fixture("upstream_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_upstream_keeps_to_its_schema(case: Case, upstream: str) -> None:
    label = case.operation.label
    SEEN[label] += 1
    try:
        try:
            response = case.call(timeout=10)
        except requests.ConnectionError:
            asked = asked_for(case, "hang_rate") or asked_for(case, "reset_rate")
            assert asked, f"{label}: the connection closed without an answer, unasked"
            SEEN[f"{label} dropped (injected)"] += 1
            return
        injected = " injected" if _marked_injected(response) else ""
        SEEN[f"{label} {response.status_code}{injected}"] += 1
        case.validate_response(response, checks=CHECKS)
    finally:
        _reset_config(upstream)


# The fuzz seldom draws a valid request with a fault rate of 1 (the rates must add up to at
# most 1, and every other knob must be valid too): these make sure every kind of fault passes
# through the same rules on every run.
FAULTS = [
    ({"error_rate": 1, "error_status": 500}, 500),
    ({"error_rate": 1, "error_status": 503}, 503),
    ({"error_rate": 1, "error_status": 599}, 599),
    ({"error_rate": 1, "error_status": 418}, 418),
    ({"hang_rate": 1}, None),
    ({"reset_rate": 1}, None),
]


@pytest.mark.parametrize(("knobs", "status"), FAULTS)
def test_an_injected_fault_passes_the_rules(
    upstream_schema: schemathesis.BaseSchema, knobs: dict[str, int], status: int | None
) -> None:
    case = upstream_schema["/slow"]["GET"].Case(query={"delay_ms": 0, **knobs})
    if status is None:
        with pytest.raises(requests.ConnectionError):
            case.call(timeout=10)
        assert asked_for(case, "hang_rate") or asked_for(case, "reset_rate")
        return
    response = case.call(timeout=10)
    assert response.status_code == status
    case.validate_response(response, checks=CHECKS)


def test_an_injected_error_nobody_asked_for_fails_the_rules(
    upstream_schema: schemathesis.BaseSchema,
) -> None:
    # A marked injected error, judged as the answer to a request that asked for no fault.
    asked = upstream_schema["/slow"]["GET"].Case(query={"delay_ms": 0, "error_rate": 1})
    response = asked.call(timeout=10)
    unasked = upstream_schema["/slow"]["GET"].Case(query={"delay_ms": 0})
    with pytest.raises(FailureGroup) as failed:
        unasked.validate_response(response, checks=CHECKS)
    assert "did not ask for" in str(failed.value)
