"""Hostile knobs for the upstream, in-process: `/slow` query parameters and `X-*` headers, and
`PUT /config` bodies. An answer is either what was asked (200, or a fault the request itself
injected: `{"error":"injected"}`, a hang or a reset) or a JSON 422 naming where the bad value
came from and its field; never an unintended 5xx or an exception.

Delays are capped at 50 ms first (`max_delay_ms`), so a valid request never waits long.
docs/reliability.md lists what this found and how long it runs."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from fuzzing import DEADLINE, FUZZ
from hypothesis import given
from hypothesis import strategies as st
from upstream_client import InProcessClient

from slow_upstream.app import CONFIG_BODY_MAX_BYTES
from slow_upstream.connection import NoTransport
from slow_upstream.knobs import KNOBS, REQUEST_KNOBS, excerpt

MAX_DELAY_MS = 50
SEEN: Counter[str] = Counter()

NAMES = [k.name for k in KNOBS]
HEADERS = [k.header for k in REQUEST_KNOBS]
SPECIAL = [
    "", "0", "-0", "+5", " 5", "05", "1_000", "1e3", "5.0", ".5", "-1", "NaN", "inf",
    "-Infinity", "0x10", "1", "0.5", "0.25", "uniform", "normal", "lognormal", "exponential",
    "pareto", "UNIFORM", "503", "400", "599", "200", "9" * 16, "9" * 400, str(2**63),
    "\uff11\uff12", "😀", "%", "%zz", "\x00", "\ud800",
]  # fmt: skip
values = st.one_of(
    st.integers(min_value=0, max_value=MAX_DELAY_MS).map(str),  # valid and short
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(SPECIAL),
    st.text(max_size=20),
    st.text(alphabet="0123456789+-_.eE ", max_size=8),
)
# Mostly valid knobs too, so faults are drawn (a rate of 1 injects it: error, hang, reset).
VALID = {
    k.name: st.sampled_from(["uniform", "normal", "lognormal", "exponential"])
    if k.kind == "choice"
    else st.sampled_from(["0", "0.5", "1"])
    if k.name.endswith("_rate")
    else st.sampled_from(["0", "1", "500", "503"])
    if k.name == "error_status"
    else st.integers(min_value=0, max_value=MAX_DELAY_MS).map(str)
    for k in REQUEST_KNOBS
}
valid_pairs = st.lists(st.sampled_from(sorted(VALID)), max_size=4, unique=True).flatmap(
    lambda chosen: st.tuples(*(st.tuples(st.just(n), VALID[n]) for n in chosen)).map(list)
)
query_pairs = st.one_of(
    valid_pairs,
    st.lists(st.tuples(st.one_of(st.sampled_from(NAMES), st.text(max_size=12)), values)),
)
header_values = values.filter(lambda v: not ({"\r", "\n", "\x00"} & set(v)))
header_names = st.one_of(
    st.sampled_from(HEADERS),
    st.sampled_from(HEADERS).map(str.lower),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=12).map("X-".__add__),
)
headers = st.dictionaries(header_names, header_values, max_size=4)


@pytest.fixture(scope="module")
def upstream() -> InProcessClient:
    client = InProcessClient()
    assert client.put("/config", json={"max_delay_ms": MAX_DELAY_MS}).status_code == 200
    return client


@pytest.fixture(scope="module", autouse=True)
def _tally() -> Iterator[None]:
    yield
    # Shown with `pytest -s`: the figures docs/reliability.md records.
    print(f"\nupstream fuzz: {dict(sorted(SEEN.items()))}")


def _asked(pairs: list[tuple[str, str]], sent: dict[str, str], name: str) -> bool:
    """Whether this request set the knob `name` (by query or header) to something."""
    header = "X-" + "-".join(p.capitalize() for p in name.split("_"))
    return any(n == name for n, _ in pairs) or header.lower() in {h.lower() for h in sent}


def _is_422_naming(response: httpx.Response, locs: set[tuple[str, str]]) -> None:
    assert response.headers["content-type"] == "application/json"
    (detail,) = response.json()["detail"]
    assert (detail["loc"][0], detail["loc"][1]) in locs, detail
    assert detail["msg"]


@pytest.mark.timeout(240)
@FUZZ
@given(pairs=query_pairs.map(lambda p: p[:6]), sent=headers)
def test_hostile_slow_knobs_are_a_422_or_served(
    upstream: InProcessClient, pairs: list[tuple[str, str]], sent: dict[str, str]
) -> None:
    query = urlencode(pairs)
    started = time.monotonic()
    try:
        response = upstream.get(
            "/slow?" + query, headers={h: v.encode("utf-8") for h, v in sent.items()}
        )
    except NoTransport:
        # A hang or a reset this request asked for: in-process there is no socket to cut.
        SEEN["hang/reset"] += 1
        assert _asked(pairs, sent, "hang_rate") or _asked(pairs, sent, "reset_rate")
        return
    took = time.monotonic() - started
    SEEN["inputs"] += 1
    SEEN[str(response.status_code)] += 1
    assert took < DEADLINE.total_seconds()
    if response.status_code == 422:
        locs = {("query", excerpt(n)) for n, _ in pairs}
        locs |= {("header", k.header) for k in REQUEST_KNOBS if _asked([], sent, k.name)}
        _is_422_naming(response, locs)
    elif response.status_code == 200:
        if response.headers["content-type"] == "application/octet-stream":
            assert set(response.content) <= {ord("*")}  # a drip
        else:
            assert response.json()["ok"] is True
    else:
        # Only an error this request injected on purpose.
        assert response.json() == {"error": "injected", "status": response.status_code}
        assert _asked(pairs, sent, "error_rate")
        SEEN["injected error"] += 1


json_values: st.SearchStrategy[Any] = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=0, max_value=MAX_DELAY_MS),
        st.integers(min_value=-(10**40), max_value=10**40),
        st.floats(),  # NaN and Infinity included: json.dumps writes them, strict JSON does not
        st.sampled_from([0.5, 1.0, 0.0, -0.0, 1e308, 5e-324, 2**63, 2**63 - 1]),
        st.text(max_size=12),
        st.sampled_from(["uniform", "normal", "lognormal", "exponential", "pareto", "200"]),
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=6,
)
config_objects = st.dictionaries(
    st.one_of(st.sampled_from(NAMES), st.text(max_size=12)), json_values, max_size=5
).map(lambda body: json.dumps(body).encode())
raw_bodies = st.one_of(
    config_objects,
    json_values.map(lambda v: json.dumps(v).encode()),  # not an object
    st.binary(max_size=64),  # not UTF-8, not JSON
    st.sampled_from(
        [
            b"",
            b"   ",
            b'{"delay_ms": 1e999}',
            b'{"delay_ms": -1e999}',
            b'{"delay_ms": 1' + b"0" * 400 + b"}",
            b"[" * 100_00 + b"]" * 100_00,
            b'{"a":' * 5000 + b"1" + b"}" * 5000,
            b'{"delay_ms": 1, "delay_ms": 2}',
            b"\xef\xbb\xbf{}",
            b'{"delay_ms": "\\ud800"}',
            b"{" + b" " * (CONFIG_BODY_MAX_BYTES + 1) + b"}",
        ]
    ),
)


@pytest.mark.timeout(240)
@FUZZ
@given(body=raw_bodies)
def test_hostile_config_bodies_are_a_422_or_applied(upstream: InProcessClient, body: bytes) -> None:
    response = upstream.put("/config", content=body, headers={"content-type": "application/json"})
    SEEN["config inputs"] += 1
    SEEN[f"config {response.status_code}"] += 1
    assert response.headers["content-type"] == "application/json"
    if response.status_code == 200:
        assert set(response.json()) == set(NAMES)
        # Back to the short delays every other example relies on.
        upstream.delete("/config")
        assert upstream.put("/config", json={"max_delay_ms": MAX_DELAY_MS}).status_code == 200
    elif response.status_code == 413:
        assert len(body) > CONFIG_BODY_MAX_BYTES
    else:
        assert response.status_code == 422, response.text
        try:
            sent = json.loads(body)
        except ValueError:
            sent = None
        names = {excerpt(str(n)) for n in sent} if isinstance(sent, dict) else set()
        _is_422_naming(response, {("body", "config")} | {("body", n) for n in names})
