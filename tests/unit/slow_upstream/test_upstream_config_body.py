"""`PUT /config` refuses hostile bodies with a JSON 422 (or 413 for a body too large), never a
500, and never echoes more than a short excerpt of what it was sent."""

from __future__ import annotations

import json

import pytest
from upstream_client import InProcessClient

from slow_upstream.app import CONFIG_BODY_MAX_BYTES

HOSTILE = {
    "nan": b'{"delay_ms": NaN}',
    "infinity": b'{"delay_ms": Infinity}',
    "minus-infinity": b'{"delay_ms": -Infinity}',
    "overflow": b'{"delay_ms": 1e400}',
    "lone-surrogate-key": b'{"\\ud800": 1}',
    "lone-surrogate-value": b'{"distribution": "\\udfff"}',
    "deep-nesting": b"[" * 4_000 + b"]" * 4_000,  # within the body cap, past the parser
    "not-utf8": b'{"delay_ms": "\xff"}',
}


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_body_is_a_json_422(body: bytes) -> None:
    r = InProcessClient().put("/config", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text[:300]
    detail = r.json()["detail"]
    assert detail
    assert "msg" in detail[0]
    assert len(r.content) < 2_000


def test_a_body_over_the_cap_is_a_413_without_echo() -> None:
    body = json.dumps({"delay_ms": 1, "pad": "x" * (CONFIG_BODY_MAX_BYTES * 10)}).encode()
    r = InProcessClient().put("/config", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert str(CONFIG_BODY_MAX_BYTES) in r.json()["detail"]
    assert len(r.content) < 1_000


def test_bad_input_is_echoed_as_a_short_excerpt_only() -> None:
    long_value = "y" * 5_000
    r = InProcessClient().put("/config", json={"distribution": long_value})
    assert r.status_code == 422
    echoed = r.json()["detail"][0]["input"]
    assert isinstance(echoed, str)
    assert len(echoed) <= 100


def test_a_good_body_still_applies() -> None:
    client = InProcessClient()
    r = client.put("/config", json={"delay_ms": 5})
    assert r.status_code == 200
    assert r.json()["delay_ms"] == 5.0


def test_a_wrong_method_on_slow_says_what_is_allowed() -> None:
    r = InProcessClient().request("TRACE", "/slow")
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD"


def test_the_config_errors_are_in_the_openapi_schema() -> None:
    schema = InProcessClient().get("/openapi.json").json()
    responses = schema["paths"]["/config"]["put"]["responses"]
    assert {"413", "422"} <= set(responses)


@pytest.mark.parametrize("path", ["/slow?delay_ms=0", "/config", "/healthz"])
def test_a_foreign_host_is_refused(path: str) -> None:
    r = InProcessClient().get(path, headers={"host": "evil.example"})
    assert r.status_code == 400
    assert "LAB_ALLOWED_HOSTS" in r.json()["detail"]
