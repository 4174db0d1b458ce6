"""Hostile query strings on every endpoint, through both handlers: never a 5xx other than the
upstream's 502/504, every 400 the JSON verdict of the lab's one parser, naming the parameter.

The upstream is a closed port (conftest.py), so a call to it fails at once; inputs that are
valid and would make a request work for long (cpu_ms=5000, a 30 s stream) are not sent.
docs/reliability.md lists what this found and how long it runs."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import nullcontext
from urllib.parse import urlencode

import pytest
from django.urls import get_resolver
from django_clients import Caller, sync_stream_warning
from fuzzing import DEADLINE, FUZZ
from hypothesis import assume, given
from hypothesis import strategies as st
from query_strings import Query

from contracts.params import (
    PAGE_BUDGET,
    STREAM_BUDGET,
    SYNC_TO_ASYNC_BUDGET,
    BadParameter,
    Budget,
    parse,
)
from contracts.values import Spec


def _declared() -> dict[str, dict[str, Spec]]:
    specs: dict[str, dict[str, Spec]] = {}
    for pattern in get_resolver().url_patterns:
        spec: dict[str, Spec] | None = getattr(pattern.callback, "params", None)
        if spec is not None:
            specs["/" + str(pattern.pattern)] = spec
    return specs


SPECS = _declared()
BUDGETS: dict[str, Budget] = {"/io/sync-to-async": SYNC_TO_ASYNC_BUDGET}
BUDGETS["/stream/async"] = BUDGETS["/stream/sync"] = STREAM_BUDGET
BUDGETS.update({p: PAGE_BUDGET for p in SPECS if p.startswith("/page/")})
CALLS_UPSTREAM = frozenset(p for p in SPECS if p.startswith(("/io/", "/fanout/", "/page/")))
NAMES = sorted({name for spec in SPECS.values() for name in spec})
# The longest a valid request may be expected to work here (the db delay, cpu_ms, a stream).
COST_CAP_MS = 300
SEEN: Counter[str] = Counter()

SPECIAL = [
    "", "0", "-0", "+5", " 5", "5 ", "05", "1_000", "1e3", "1E3", "5.0", ".5", "5.", "-1",
    "NaN", "nan", "inf", "-Infinity", "0x10", "1/2", "١٢", "\uff11\uff12", "²", "true", "yes", "on",
    "TRUE", "2", "9" * 16, "9" * 400, "1" + "0" * 15, "-" + "9" * 15, "%", "%zz", "\x00",
    "\ud7ff", "😀", "1\u00a0", "∞",
]  # fmt: skip
values = st.one_of(
    st.integers(min_value=0, max_value=15).map(str),  # valid and cheap
    st.integers(min_value=-(10**40), max_value=10**40).map(str),  # huge, signed
    st.floats(allow_nan=True, allow_infinity=True).map(repr),  # 1e+300, inf, -0.0
    st.sampled_from(SPECIAL),
    st.text(max_size=20),  # any unicode, surrogates excluded by urlencode's utf-8
    st.text(alphabet="0123456789+-_.eE ", max_size=8),  # near-numbers
)
names = st.one_of(st.sampled_from(NAMES), st.text(max_size=12))
pairs = st.lists(st.tuples(names, values), max_size=6)
# A raw query string as a careless client sends it: unescaped `&`, `=`, `%`, `+`, `;`.
raw_queries = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=40)


def _query(data: st.DataObject) -> str:
    if data.draw(st.booleans(), label="raw"):
        return data.draw(raw_queries.filter(lambda q: "#" not in q), label="query")
    return urlencode(data.draw(pairs, label="pairs"))


def _cost_ms(path: str, values: dict[str, int | float | bool | None]) -> float:
    """How long a valid request would work here (the upstream, a closed port, costs nothing)."""
    if path.startswith(("/cpu/", "/page/")):
        return float(values["cpu_ms"] or 0) * 3  # calibrated CPU time, slower under contention
    if path.startswith("/db/"):
        return float(values["delay_ms"] or 0)
    if path.startswith("/stream/"):
        return float(values["events"] or 0) * float(values["interval_ms"] or 0)
    return 0.0


def _verdict(path: str, query: str) -> BadParameter | None:
    """What the lab's parser says of this query: the 400 it must be, or None (served)."""
    try:
        values = parse(Query.parse(query), SPECS[path])
        budget = BUDGETS.get(path)
        if budget is not None:
            budget.check(values)
    except BadParameter as exc:
        return exc
    assume(_cost_ms(path, values) <= COST_CAP_MS)
    return None


@pytest.fixture(scope="module", autouse=True)
def _tally() -> Iterator[None]:
    yield
    # Shown with `pytest -s`: the figures docs/reliability.md records.
    print(f"\nDjango fuzz: {dict(sorted(SEEN.items()))}")


@pytest.mark.timeout(240)
@FUZZ
@given(data=st.data())
def test_hostile_query_strings_are_a_json_400_or_served(
    client: Caller, data: st.DataObject
) -> None:
    path = data.draw(st.sampled_from(sorted(SPECS)), label="path")
    query = _query(data)
    expected = _verdict(path, query)
    started = time.monotonic()
    # A served /stream/sync warns under ASGI: Django reads a sync stream in one piece.
    served = sync_stream_warning(client.server, path) if expected is None else nullcontext()
    with served:
        answer = client.get(f"{path}?{query}" if query else path)
    took = time.monotonic() - started
    SEEN["inputs"] += 1
    SEEN[str(answer.status)] += 1
    assert took < DEADLINE.total_seconds()
    content_type = answer.headers["Content-Type"]

    if expected is not None:
        assert answer.status == 400, answer.body
        assert content_type == "application/json"
        assert answer.json() == {"error": expected.message, "parameter": expected.parameter}
    elif path in CALLS_UPSTREAM:
        # Valid: the call goes out and fails at once on the closed port.
        assert answer.status == 502, answer.body
        assert content_type == "application/json"
        assert answer.json()["error"] == "upstream unreachable or connection lost"
    else:
        assert answer.status == 200, answer.body
        if path == "/metrics":
            assert content_type.startswith("text/plain")
        elif path.startswith("/stream/"):
            assert content_type.startswith("text/event-stream")
        elif path == "/":
            assert content_type.startswith("text/html")  # the index page, for a person
        else:
            assert content_type == "application/json"
            assert answer.json().get("server", client.server) == client.server
