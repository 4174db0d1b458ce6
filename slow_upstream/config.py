"""The upstream's configuration: defaults from `SLOW_*` at start, changed at runtime through
`/config`, overridden per request by query parameters and `X-*` headers."""

from __future__ import annotations

import dataclasses
import os
import random
from collections.abc import Mapping
from dataclasses import dataclass

from slow_upstream.knobs import BY_NAME, KNOBS, KnobError, Value, check_consistent, parse_json
from slow_upstream.knobs import parse_text as parse_knob_text
from slow_upstream.limiter import Limiter


@dataclass(frozen=True, slots=True)
class Params:
    delay_ms: float
    jitter_ms: float
    distribution: str
    seed: int | None
    error_rate: float
    error_status: int
    hang_rate: float
    hang_ms: float
    reset_rate: float
    drip_bytes: int
    drip_ms: float
    size_bytes: int
    max_delay_ms: float
    max_concurrency: int
    max_queue: int

    def as_dict(self) -> dict[str, Value]:
        return dataclasses.asdict(self)

    @property
    def any_fault(self) -> bool:
        return self.error_rate > 0.0 or self.hang_rate > 0.0 or self.reset_rate > 0.0


DEFAULTS = Params(**{k.name: k.default for k in KNOBS})  # type: ignore[arg-type]
_DEFAULT_HANG_MS = float(DEFAULTS.hang_ms)


def default_hang_ms(max_delay_ms: float) -> float:
    """hang_ms when nobody set it: its default, but never above the cap (a lower cap would
    otherwise refuse the default itself)."""
    return min(_DEFAULT_HANG_MS, max_delay_ms)


def merge(base: Params, given: Mapping[str, Value], locs: Mapping[str, tuple[str, str]]) -> Params:
    """`base` with some knobs replaced, after checking the rules across knobs."""
    if not given:
        return base
    values = base.as_dict()
    values.update(given)
    # A hang_ms still at its default follows a changed cap; one given explicitly (now, or
    # before, to another value) is checked against the cap like every other delay.
    if "hang_ms" not in given and base.hang_ms == default_hang_ms(base.max_delay_ms):
        cap = values["max_delay_ms"]
        assert isinstance(cap, float | int)
        values["hang_ms"] = default_hang_ms(float(cap))
    check_consistent(values, locs)
    return Params(**values)  # type: ignore[arg-type]


def from_env(env: Mapping[str, str] | None = None) -> Params:
    env = os.environ if env is None else env
    given: dict[str, Value] = {}
    locs: dict[str, tuple[str, str]] = {}
    for knob in KNOBS:
        raw = env.get(knob.env)
        if raw is None or (raw.strip() == "" and knob.kind != "seed"):
            continue
        loc = ("env", knob.env)
        given[knob.name] = parse_knob_text(knob, raw, loc)
        locs[knob.name] = loc
    return merge(DEFAULTS, given, locs)


def parse_update(body: object) -> tuple[dict[str, Value], dict[str, tuple[str, str]]]:
    """Validate a `PUT /config` body: a JSON object of known knobs."""
    if not isinstance(body, dict):
        raise KnobError(("body", "config"), "expected a JSON object of knobs", body)
    given: dict[str, Value] = {}
    locs: dict[str, tuple[str, str]] = {}
    for name, raw in body.items():
        loc = ("body", str(name))
        knob = BY_NAME.get(name) if isinstance(name, str) else None
        if knob is None:
            raise KnobError(loc, f"unknown knob; known: {', '.join(BY_NAME)}", raw)
        given[name] = parse_json(knob, raw, loc)
        locs[name] = loc
    return given, locs


class RuntimeConfig:
    """What requests that override nothing get; changes apply to the next request."""

    def __init__(self, startup: Params) -> None:
        self.startup = startup
        self.current = startup
        self.rng = random.Random(startup.seed)
        self.limiter = Limiter(startup.max_concurrency, startup.max_queue)

    def update(self, body: object) -> Params:
        given, locs = parse_update(body)
        self._apply(merge(self.current, given, locs), reseed="seed" in given)
        return self.current

    def reset(self) -> Params:
        self._apply(self.startup, reseed=True)
        return self.current

    def _apply(self, new: Params, *, reseed: bool) -> None:
        old = self.current
        self.current = new
        if reseed:
            self.rng = random.Random(new.seed)
        if (new.max_concurrency, new.max_queue) != (old.max_concurrency, old.max_queue):
            # Requests already holding a slot release it into the old limiter.
            self.limiter = Limiter(new.max_concurrency, new.max_queue)
