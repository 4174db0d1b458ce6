"""Every parameter of every endpoint is bounded: bad input is a 400 naming the parameter."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.urls import get_resolver
from django_clients import Caller

from contracts.paths import REPO
from contracts.values import Spec

# What each endpoint takes, written out (not read from the code) so a change is deliberate.
EXPECTED: dict[str, dict[str, tuple[int, int] | str]] = {
    "/": {},
    "/healthz": {},
    "/ping": {},
    "/metrics": {},
    "/io/sync": {"delay_ms": (0, 30_000)},
    "/io/async": {"delay_ms": (0, 30_000)},
    "/io/async-blocking": {"delay_ms": (0, 30_000)},
    "/io/sync-to-async": {"delay_ms": (0, 30_000), "n": (1, 50), "thread_sensitive": "flag"},
    "/cpu/sync": {"cpu_ms": (0, 5_000)},
    "/cpu/async": {"cpu_ms": (0, 5_000)},
    "/cpu/async-chunked": {"cpu_ms": (0, 5_000), "chunk_ms": (1, 5_000)},
    "/cpu/async-offload": {"cpu_ms": (0, 5_000)},
    "/db/sync": {"delay_ms": (0, 30_000)},
    "/db/async": {"delay_ms": (0, 30_000)},
    "/fanout/sync": {"n": (1, 50), "delay_ms": (0, 30_000)},
    "/fanout/async": {"n": (1, 50), "delay_ms": (0, 30_000)},
    "/stream/async": {"events": (1, 1_000), "interval_ms": (0, 10_000)},
    "/stream/sync": {"events": (1, 1_000), "interval_ms": (0, 10_000)},
    "/page/sync": {"delay_ms": (0, 30_000), "cpu_ms": (0, 5_000)},
    "/page/async": {"delay_ms": (0, 30_000), "cpu_ms": (0, 5_000)},
    "/page/async-blocking": {"delay_ms": (0, 30_000), "cpu_ms": (0, 5_000)},
}


def spec_of(view: object) -> dict[str, Spec] | None:
    """The parameters a view takes: `endpoint` sets them as the view's attribute `params`."""
    spec: dict[str, Spec] | None = getattr(view, "params", None)
    return spec


def declared() -> dict[str, dict[str, Spec]]:
    return {
        "/" + str(p.pattern): spec
        for p in get_resolver().url_patterns
        if (spec := spec_of(p.callback)) is not None
    }


def test_every_endpoint_declares_the_documented_bounds() -> None:
    specs = declared()
    assert set(specs) == set(EXPECTED)
    for path, spec in specs.items():
        shown = {
            name: "flag" if kind.kind == "flag" else (kind.low, kind.high)
            for name, kind in spec.items()
        }
        assert shown == EXPECTED[path], path


def _whole(bound: float | None) -> int:
    assert bound is not None
    return int(bound)


def bad_values() -> list[tuple[str, str, str]]:
    cases = []
    for path, spec in declared().items():
        for name, kind in spec.items():
            values = ["abc", "1.5", ""]
            if kind.kind == "integer":
                values += [str(_whole(kind.low) - 1), str(_whole(kind.high) + 1)]
            else:
                values += ["2"]
            cases += [(path, name, v) for v in values]
    return cases


@pytest.mark.parametrize(("path", "parameter", "value"), bad_values())
def test_bad_value_is_a_400_naming_the_parameter(
    client: Caller, path: str, parameter: str, value: str
) -> None:
    answer = client.get(f"{path}?{parameter}={value}")
    assert answer.status == 400
    body = answer.json()
    assert body["parameter"] == parameter
    assert body["error"]


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_unknown_parameter_is_a_400(client: Caller, path: str) -> None:
    answer = client.get(f"{path}?bogus=1")
    assert (answer.status, answer.json()["parameter"]) == (400, "bogus")


def test_repeated_parameter_is_a_400(client: Caller) -> None:
    answer = client.get("/io/sync?delay_ms=1&delay_ms=2")
    assert (answer.status, answer.json()["parameter"]) == (400, "delay_ms")


@pytest.mark.parametrize("path", ["/ping", "/io/async", "/cpu/sync"])
def test_other_methods_are_a_json_405(client: Caller, path: str) -> None:
    answer = client.get(path, method="POST")
    assert answer.status == 405
    assert answer.headers["Allow"] == "GET, HEAD"
    assert "POST" in answer.json()["error"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("/io/sync-to-async?n=50&delay_ms=30000", "n,delay_ms"),
        ("/io/sync-to-async?n=2&delay_ms=15001&thread_sensitive=1", "n,delay_ms"),
        ("/io/sync-to-async?n=50&delay_ms=30000&thread_sensitive=0", "n,delay_ms"),
        ("/stream/async?events=1000&interval_ms=10000", "events,interval_ms"),
        ("/stream/async?events=301&interval_ms=100", "events,interval_ms"),
        ("/stream/async?interval_ms=3001", "events,interval_ms"),  # 10 events by default
        ("/stream/sync?events=301&interval_ms=100", "events,interval_ms"),
    ],
)
def test_a_request_expected_to_outlast_the_cap_is_a_400_naming_its_parameters(
    client: Caller, query: str, parameter: str
) -> None:
    answer = client.get(query)
    assert answer.status == 400
    body = answer.json()
    assert body["parameter"] == parameter
    assert "at most 30000 ms" in body["error"]


@pytest.mark.parametrize(
    "query",
    [
        "/io/sync-to-async?n=2&delay_ms=15000&thread_sensitive=1",
        "/stream/async?events=300&interval_ms=100",
        "/stream/sync?events=300&interval_ms=100",
    ],
)
def test_a_request_exactly_at_the_cap_is_allowed(query: str) -> None:
    from django.urls import resolve

    from contracts import params

    path, _, raw = query.partition("?")
    view = resolve(path).func
    # Parse only (running it would take the 30 s): the view's own spec and budget.
    budget = params.SYNC_TO_ASYNC_BUDGET if path == "/io/sync-to-async" else params.STREAM_BUDGET
    spec = spec_of(view)
    assert spec is not None
    assert params.parse(QueryDict(raw), spec, budget)


def test_gunicorn_worker_timeout_outlasts_the_longest_allowed_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import runpy

    from contracts.params import MAX_REQUEST_MS
    from contracts.settings import LabSettings

    for timeout_s in (0.5, 35.0, 200.0, 600.0):
        lab = LabSettings(upstream_timeout_s=timeout_s)
        # The longest request: the capped work, then one failing call cut at its deadline
        # (overshot by at most one more silent read).
        assert lab.gunicorn_worker_timeout_s() > MAX_REQUEST_MS / 1000 + 2 * timeout_s
    assert LabSettings().gunicorn_worker_timeout_s() == 130
    # A set GUNICORN_TIMEOUT_S wins, and it is what the config gunicorn loads runs with.
    assert LabSettings(gunicorn_timeout_s=5).gunicorn_worker_timeout_s() == 5
    monkeypatch.setenv("GUNICORN_TIMEOUT_S", "7")
    conf = str(REPO / "services" / "gunicorn" / "gunicorn.conf.py")
    assert runpy.run_path(conf)["timeout"] == 7
