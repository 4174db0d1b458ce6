"""Query parameters of the scenario endpoints: each one named, typed and bounded.

The Django views read them, and the load generators check their knobs against the same
bounds before they send a request, so this module imports no Django."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol


class BadParameter(ValueError):
    """A query parameter the endpoint cannot use; answered with 400 naming it."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class Int:
    """A whole number in [low, high]."""

    default: int
    low: int
    high: int

    def parse(self, name: str, raw: str) -> int:
        text = raw.strip()
        # int() also takes "1_000" and non-ASCII digits; a bound is easier to read as digits.
        if not (text.isascii() and text.lstrip("-").isdigit()) or len(text) > 12:
            raise BadParameter(name, f"expected a whole number, got {raw!r}")
        value = int(text)
        if not self.low <= value <= self.high:
            raise BadParameter(name, f"must be between {self.low} and {self.high}, got {value}")
        return value

    def describe(self) -> str:
        return f"{self.low}-{self.high} (default {self.default})"


@dataclass(frozen=True)
class Flag:
    """A switch: 1/0, true/false, yes/no, on/off."""

    default: bool

    def parse(self, name: str, raw: str) -> bool:
        text = raw.strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off"}:
            return False
        raise BadParameter(name, f"expected 1 or 0, got {raw!r}")

    def describe(self) -> str:
        return f"1 or 0 (default {int(self.default)})"


Spec = Int | Flag

# The bounds of every endpoint, in one place (docs/endpoints.md lists them).
DELAY_MS = Int(default=200, low=0, high=30_000)
CPU_MS = Int(default=50, low=0, high=5_000)
FANOUT_N = Int(default=10, low=1, high=50)
CALLS_N = Int(default=1, low=1, high=50)
EVENTS = Int(default=10, low=1, high=1_000)
INTERVAL_MS = Int(default=100, low=0, high=10_000)
THREAD_SENSITIVE = Flag(default=True)

# The longest a request may be expected to take, from its parameters together: each bound
# above is fine alone, but n=50 x 30 s or 1000 events x 10 s would tie a worker up for
# minutes. Equal to the delay bound, so one call of the longest delay is always allowed.
# services/gunicorn/gunicorn.conf.py keeps its worker timeout above this.
MAX_REQUEST_MS = DELAY_MS.high


@dataclass(frozen=True)
class Budget:
    """A cap on a request's expected duration, computed from several parameters."""

    names: tuple[str, ...]
    expected_ms: Callable[[Mapping[str, int | bool]], float]
    formula: str

    def check(self, values: Mapping[str, int | bool]) -> None:
        ms = self.expected_ms(values)
        if ms > MAX_REQUEST_MS:
            raise BadParameter(
                ",".join(self.names),
                f"{self.formula} = {ms:.0f} ms; a request may take at most {MAX_REQUEST_MS} ms",
            )


def default_pool_size() -> int:
    # The default executor sync_to_async(thread_sensitive=False) uses (ThreadPoolExecutor's).
    return min(32, (os.cpu_count() or 1) + 4)


def _sync_to_async_ms(v: Mapping[str, int | bool]) -> float:
    n, delay = int(v["n"]), int(v["delay_ms"])
    # One after another on one thread, or in rounds of the pool's size.
    rounds = n if v["thread_sensitive"] else math.ceil(n / default_pool_size())
    return rounds * delay


SYNC_TO_ASYNC_BUDGET = Budget(
    ("n", "delay_ms"),
    _sync_to_async_ms,
    "delay_ms x n (thread_sensitive=1) or x ceil(n / thread pool size) (thread_sensitive=0)",
)
STREAM_BUDGET = Budget(
    ("events", "interval_ms"),
    lambda v: int(v["events"]) * int(v["interval_ms"]),
    "events x interval_ms",
)


class Query(Protocol):
    """What `parse` reads of a query string: Django's QueryDict is one."""

    def __iter__(self) -> Iterator[str]: ...
    def get(self, key: str) -> str | None: ...
    def getlist(self, key: str) -> list[str]: ...


def parse(
    query: Query, spec: Mapping[str, Spec], budget: Budget | None = None
) -> dict[str, int | bool]:
    """The values of the parameters in `spec`; unknown or repeated parameters are errors, so
    a typo (`delay=5000`) is not silently served with the default."""
    for name in query:
        if name not in spec:
            known = ", ".join(spec) or "none"
            raise BadParameter(name, f"unknown parameter (this endpoint takes: {known})")
        if len(query.getlist(name)) > 1:
            raise BadParameter(name, "given more than once")
    values: dict[str, int | bool] = {}
    for name, kind in spec.items():
        raw = query.get(name)
        values[name] = kind.default if raw is None else kind.parse(name, raw)
    if budget is not None:
        budget.check(values)
    return values
