"""Query parameters of the scenario endpoints: each one named, typed and bounded.

The Django views read them, and the load generators check their knobs against the same
bounds before they send a request, so this module imports no Django."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

from contracts.values import BadValue, Spec, flag, integer


class BadParameter(ValueError):
    """A query parameter the endpoint cannot use; answered with 400 naming it."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


# The bounds of every endpoint, in one place (docs/endpoints.md lists them).
DELAY_MS = integer(default=200, low=0, high=30_000)
# The upstream-calling views pass delay_ms on only when their own request gave one: without
# it the upstream's live configuration (PUT /config, SLOW_DELAY_MS, its distributions) applies.
UPSTREAM_DELAY_MS = integer(default=None, low=0, high=30_000)
CPU_MS = integer(default=50, low=0, high=5_000)
# The slice of CPU work between two yields to the event loop; as large as the work itself at
# most, where it is one slice (/cpu/async).
CHUNK_MS = integer(default=10, low=1, high=5_000)
FANOUT_N = integer(default=10, low=1, high=50)
CALLS_N = integer(default=1, low=1, high=50)
EVENTS = integer(default=10, low=1, high=1_000)
INTERVAL_MS = integer(default=100, low=0, high=10_000)
THREAD_SENSITIVE = flag(default=True)

# The longest a request may be expected to take, from its parameters together: each bound
# above is fine alone, but n=50 x 30 s or 1000 events x 10 s would tie a worker up for
# minutes. Equal to the delay bound, so one call of the longest delay is always allowed.
# LabSettings.gunicorn_worker_timeout_s keeps gunicorn's default worker timeout above this.
MAX_REQUEST_MS = 30_000
assert DELAY_MS.high == MAX_REQUEST_MS


@dataclass(frozen=True)
class Budget:
    """A cap on a request's expected duration, computed from several parameters."""

    names: tuple[str, ...]
    expected_ms: Callable[[Mapping[str, int | float | bool | None]], float]
    formula: str

    def check(self, values: Mapping[str, int | float | bool | None]) -> None:
        if any(values[name] is None for name in self.names):
            # Not given: the upstream decides (its own cap, max_delay_ms), and every call is
            # still cut at UPSTREAM_TIMEOUT_S.
            return
        ms = self.expected_ms(values)
        if ms > MAX_REQUEST_MS:
            raise BadParameter(
                ",".join(self.names),
                f"{self.formula} = {ms:.0f} ms; a request may take at most {MAX_REQUEST_MS} ms",
            )


def default_pool_size() -> int:
    # The default executor sync_to_async(thread_sensitive=False) uses (ThreadPoolExecutor's).
    return min(32, (os.cpu_count() or 1) + 4)


def _given(v: Mapping[str, int | float | bool | None], name: str) -> float:
    value = v[name]
    assert value is not None  # Budget.check skips a budget whose values are not all given
    return float(value)


def _sync_to_async_ms(v: Mapping[str, int | float | bool | None]) -> float:
    n, delay = _given(v, "n"), _given(v, "delay_ms")
    # One after another on one thread, or in rounds of the pool's size.
    rounds = n if v["thread_sensitive"] else math.ceil(n / default_pool_size())
    return rounds * delay


SYNC_TO_ASYNC_BUDGET = Budget(
    ("n", "delay_ms"),
    _sync_to_async_ms,
    "delay_ms x n (thread_sensitive=1) or x ceil(n / thread pool size) (thread_sensitive=0)",
)
# A page's render work (/page/*): none unless asked, within the same bounds as /cpu/*.
PAGE_CPU_MS = integer(default=0, low=0, high=5_000)
PAGE_BUDGET = Budget(
    ("delay_ms", "cpu_ms"),
    lambda v: _given(v, "delay_ms") + _given(v, "cpu_ms"),
    "delay_ms + cpu_ms",
)
STREAM_BUDGET = Budget(
    ("events", "interval_ms"),
    lambda v: _given(v, "events") * _given(v, "interval_ms"),
    "events x interval_ms",
)


class Query(Protocol):
    """What `parse` reads of a query string: Django's QueryDict is one."""

    def __iter__(self) -> Iterator[str]: ...
    def get(self, key: str) -> str | None: ...
    def getlist(self, key: str) -> list[str]: ...


def parse(
    query: Query, spec: Mapping[str, Spec], budget: Budget | None = None
) -> dict[str, int | float | bool | None]:
    """The values of the parameters in `spec`; unknown or repeated parameters are errors, so
    a typo (`delay=5000`) is not silently served with the default."""
    for name in query:
        if name not in spec:
            known = ", ".join(spec) or "none"
            raise BadParameter(name, f"unknown parameter (this endpoint takes: {known})")
        if len(query.getlist(name)) > 1:
            raise BadParameter(name, "given more than once")
    values: dict[str, int | float | bool | None] = {}
    for name, kind in spec.items():
        raw = query.get(name)
        if raw is None:
            values[name] = kind.default
            continue
        try:
            values[name] = kind.parse(raw)
        except BadValue as e:
            raise BadParameter(name, str(e)) from None
    if budget is not None:
        budget.check(values)
    return values
