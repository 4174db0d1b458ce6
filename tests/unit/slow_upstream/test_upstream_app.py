"""The HTTP contract in-process: knobs from query, headers and /config, and the 422s."""

import re

import pytest
from upstream_client import InProcessClient


@pytest.fixture
def client() -> InProcessClient:
    return InProcessClient()


def test_slow_answers_small_json(client: InProcessClient) -> None:
    r = client.get("/slow", params={"delay_ms": 1})
    assert r.status_code == 200
    body = r.json()
    assert body["ok"] is True
    assert body["delay_ms"] == 1.0
    assert body["slept_ms"] >= 1.0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("delay_ms=-5", "delay_ms"),
        ("delay_ms=NaN", "delay_ms"),
        ("delay_ms=999999999", "delay_ms"),
        ("hang_ms=70000", "hang_ms"),
        ("bogus=1", "bogus"),
        ("delay_ms=1&delay_ms=2", "delay_ms"),
        ("max_concurrency=3", "max_concurrency"),
        ("distribution=zipf", "distribution"),
        ("delay_ms=1_0", "delay_ms"),
    ],
)
def test_bad_query_is_422_naming_the_field(client: InProcessClient, query: str, field: str) -> None:
    r = client.get("/slow?" + query)
    assert r.status_code == 422
    (detail,) = r.json()["detail"]
    assert detail["loc"] == ["query", field]
    assert detail["msg"]


def test_headers_set_knobs_and_the_query_wins(client: InProcessClient) -> None:
    assert client.get("/slow", headers={"X-Delay-Ms": "2"}).json()["delay_ms"] == 2.0
    r = client.get("/slow?delay_ms=1", headers={"X-Delay-Ms": "3"})
    assert r.json()["delay_ms"] == 1.0
    r = client.get("/slow", headers={"X-Error-Rate": "2"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["header", "X-Error-Rate"]


def test_injected_error_uses_the_status(client: InProcessClient) -> None:
    r = client.get("/slow?error_rate=1&error_status=503")
    assert r.status_code == 503
    assert r.json() == {"error": "injected", "status": 503}


def test_size_pads_the_json_to_the_exact_length(client: InProcessClient) -> None:
    r = client.get("/slow?size_bytes=5000")
    assert len(r.content) == 5000
    assert r.json()["ok"] is True


def test_drip_sends_the_bytes(client: InProcessClient) -> None:
    r = client.get("/slow?drip_bytes=250&drip_ms=20")
    assert r.content == b"*" * 250


def test_a_request_seed_repeats_its_delay(client: InProcessClient) -> None:
    q = "delay_ms=10&jitter_ms=5&distribution=normal&seed="
    first = [client.get("/slow?" + q + str(s)).json()["delay_ms"] for s in (1, 2, 1)]
    assert first[0] == first[2] != first[1]


def test_config_put_applies_at_once_and_delete_restores(client: InProcessClient) -> None:
    assert client.get("/config").json()["delay_ms"] == 0.0
    r = client.put("/config", json={"delay_ms": 3, "jitter_ms": 1, "distribution": "lognormal"})
    assert r.status_code == 200
    assert r.json()["distribution"] == "lognormal"
    assert client.get("/config").json()["delay_ms"] == 3.0
    assert 0.0 < client.get("/slow").json()["delay_ms"] < 60.0
    assert client.get("/slow?jitter_ms=0").json()["delay_ms"] == 3.0
    assert client.delete("/config").json()["delay_ms"] == 0.0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"delay_ms": -1}, "delay_ms"),
        ({"delay_ms": "100"}, "delay_ms"),
        ({"error_rate": True}, "error_rate"),
        ({"nope": 1}, "nope"),
        ({"max_delay_ms": 10, "delay_ms": 20}, "delay_ms"),
        ({"error_rate": 0.7, "hang_rate": 0.7}, "error_rate"),
        ([1, 2], "config"),
    ],
)
def test_bad_config_is_422_and_changes_nothing(
    client: InProcessClient, body: object, field: str
) -> None:
    before = client.get("/config").json()
    r = client.put("/config", json=body)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", field]
    assert client.get("/config").json() == before


def test_a_lower_cap_takes_the_default_hang_with_it(client: InProcessClient) -> None:
    r = client.put("/config", json={"max_delay_ms": 10_000})
    assert r.status_code == 200
    assert (r.json()["max_delay_ms"], r.json()["hang_ms"]) == (10_000.0, 10_000.0)
    r = client.put("/config", json={"max_delay_ms": 5_000, "hang_ms": 8_000})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "hang_ms"]
    client.delete("/config")


def test_invalid_json_is_422(client: InProcessClient) -> None:
    r = client.put("/config", content=b"{nope", headers={"content-type": "application/json"})
    assert r.status_code == 422


def test_health_metrics_and_openapi_docs_are_served(client: InProcessClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    client.get("/slow?error_rate=1")
    text = client.get("/metrics").text
    for name in ("upstream_requests_total", "upstream_delay_overshoot_seconds_bucket"):
        assert name in text
    assert 'upstream_faults_injected_total{fault="error"}' in text
    spec = client.get("/openapi.json").json()
    names = {p["name"] for p in spec["paths"]["/slow"]["get"]["parameters"]}
    assert {"delay_ms", "X-Delay-Ms", "hang_rate", "X-Hang-Rate"} <= names
    assert client.get("/docs").status_code == 200


def test_the_index_is_a_page_with_every_knob_and_the_links() -> None:
    r = InProcessClient().get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    for text in ("delay_ms", "SLOW_MAX_DELAY_MS", "X-Delay-Ms", "href='/docs'", "href='/config'"):
        assert text in r.text, text


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_api_docs_need_no_internet(page: str) -> None:
    client = InProcessClient()
    r = client.get(page)
    assert r.status_code == 200
    assert "https://" not in r.text  # no CDN: every asset from this server
    assets = re.findall(r'(?:src|href)="(/[^"]+\.(?:js|css))"', r.text)
    assert assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
