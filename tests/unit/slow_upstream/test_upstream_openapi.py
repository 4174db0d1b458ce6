"""Every kind of answer the upstream gives is described in its OpenAPI document: its status,
its content type and a body schema the answer validates against (the schemathesis run in the
integration tests relies on it; an answer with no schema would pass unchecked)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import jsonschema_rs
import pytest
from upstream_client import InProcessClient

from slow_upstream.app import CONFIG_BODY_MAX_BYTES
from slow_upstream.knobs import SEED_MAX

ANSWERS = [
    ("get", "/slow", "GET", "/slow?delay_ms=0", None),
    ("get", "/slow", "GET", "/slow?delay_ms=0&size_bytes=300", None),
    ("get", "/slow", "GET", "/slow?delay_ms=0&drip_bytes=10", None),
    ("get", "/slow", "GET", "/slow?delay_ms=nope", None),
    ("get", "/slow", "GET", "/slow?delay_ms=0&error_rate=1", None),
    ("get", "/slow", "GET", "/slow?delay_ms=0&error_rate=1&error_status=418", None),
    ("get", "/slow", "POST", "/slow", None),
    ("get", "/config", "GET", "/config", None),
    ("delete", "/config", "DELETE", "/config", None),
    ("put", "/config", "PUT", "/config", b'{"delay_ms": 5}'),
    ("put", "/config", "PUT", "/config", b'{"delay_ms": -5}'),
    ("put", "/config", "PUT", "/config", b"x" * (CONFIG_BODY_MAX_BYTES + 1)),
    ("get", "/healthz", "GET", "/healthz", None),
    ("get", "/metrics", "GET", "/metrics", None),
]


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    document: dict[str, Any] = InProcessClient().get("/openapi.json").json()
    return document


def documented(responses: dict[str, Any], status: int) -> dict[str, Any]:
    """The response object for a status: its own, or its range (`4XX`)."""
    found = responses.get(str(status), responses.get(f"{status // 100}XX"))
    assert found is not None, f"{status} is not documented"
    return dict(found)


@pytest.mark.parametrize(("op", "path", "method", "url", "body"), ANSWERS)
def test_every_answer_matches_its_documented_body(
    spec: dict[str, Any], op: str, path: str, method: str, url: str, body: bytes | None
) -> None:
    r: httpx.Response = InProcessClient().request(
        method, url, content=body, headers={"content-type": "application/json"}
    )
    response = documented(spec["paths"][path][op]["responses"], r.status_code)
    media_type = r.headers["content-type"].split(";")[0]
    content = response.get("content", {})
    assert media_type in content, f"{r.status_code} {media_type} is not documented"
    schema = content[media_type]["schema"]
    value: object = json.loads(r.content) if media_type == "application/json" else r.text
    assert jsonschema_rs.is_valid(schema, value), (r.status_code, value)
    for header, definition in response.get("headers", {}).items():
        assert not definition.get("required") or header.lower() in r.headers


def test_integer_bounds_stay_exact(spec: dict[str, Any]) -> None:
    # 2**63 - 1 as a float is 2**63: a seed the upstream refuses.
    body = spec["paths"]["/config"]["put"]["requestBody"]["content"]["application/json"]
    seed = body["schema"]["properties"]["seed"]["anyOf"][0]
    assert seed["maximum"] == SEED_MAX
    assert isinstance(seed["maximum"], int)
