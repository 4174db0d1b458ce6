"""Every knob of the slow upstream, once: its name, bounds, default and help.

The same table drives the four ways to set a knob (environment `SLOW_*`, query parameter,
`X-*` request header, `PUT /config`), the validation errors and the OpenAPI description, so
the names cannot drift apart.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from contracts.values import BadValue, parse_integer, parse_number

Kind = Literal["float", "int", "choice", "seed"]
Scope = Literal["request", "server"]

DISTRIBUTIONS = ("uniform", "normal", "lognormal", "exponential")

# Hard ceilings: no configuration may go past them (ten minutes, 16 MiB, ...).
CEILING_DELAY_MS = 600_000.0
CEILING_BYTES = 16 * 1024 * 1024
SEED_MAX = 2**63 - 1


class KnobError(ValueError):
    """A knob value the upstream refuses; `loc` names where it came from and the field."""

    def __init__(self, loc: tuple[str, str], msg: str, value: object = None) -> None:
        super().__init__(f"{loc[1]}: {msg}")
        self.loc = loc
        self.msg = msg
        self.value = value

    def as_detail(self) -> dict[str, object]:
        # The same shape FastAPI uses for its own 422 answers; what was sent comes back only as
        # a short, always-encodable excerpt (a huge body or a lone surrogate must not make the
        # error itself fail, or echo megabytes back).
        return {
            "loc": [excerpt(part) for part in self.loc],
            "msg": self.msg,
            "type": "value_error",
            "input": _echo(self.value),
        }


EXCERPT_CHARS = 80


def excerpt(text: str) -> str:
    """`text`, cut to EXCERPT_CHARS, with lone surrogates and other unencodable code points
    escaped."""
    safe = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return safe if len(safe) <= EXCERPT_CHARS else safe[: EXCERPT_CHARS - 3] + "..."


def _echo(value: object) -> object:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if len(str(value)) <= EXCERPT_CHARS else excerpt(str(value))
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return excerpt(value)
    return excerpt(json.dumps(value, ensure_ascii=True, default=str)[: EXCERPT_CHARS * 4])


@dataclass(frozen=True, slots=True)
class Knob:
    name: str
    kind: Kind
    default: float | int | str | None
    help: str
    example: str
    scope: Scope = "request"
    lo: float = 0.0
    hi: float = 0.0
    # Capped by the runtime `max_delay_ms` on top of the fixed bounds.
    capped_by_max_delay: bool = False

    @property
    def env(self) -> str:
        return "SLOW_" + self.name.upper()

    @property
    def header(self) -> str:
        return "X-" + "-".join(p.capitalize() for p in self.name.split("_"))

    def bounds_text(self) -> str:
        if self.kind == "choice":
            return "one of " + ", ".join(DISTRIBUTIONS)
        if self.kind == "seed":
            return f"a whole number 0-{SEED_MAX}, or empty for a random seed"
        hi = "max_delay_ms" if self.capped_by_max_delay else _num(self.hi)
        return f"{_num(self.lo)}-{hi}"


def _num(x: float) -> str:
    return str(int(x)) if x == int(x) else str(x)


KNOBS: tuple[Knob, ...] = (
    Knob(
        "delay_ms",
        "float",
        200.0,
        "base delay before the answer (ms)",
        "delay_ms=200",
        hi=CEILING_DELAY_MS,
        capped_by_max_delay=True,
    ),
    Knob(
        "jitter_ms",
        "float",
        0.0,
        "spread around delay_ms; its meaning depends on the distribution (ms)",
        "jitter_ms=50",
        hi=CEILING_DELAY_MS,
        capped_by_max_delay=True,
    ),
    Knob(
        "distribution",
        "choice",
        "uniform",
        "how the delay is drawn from delay_ms and jitter_ms",
        "distribution=lognormal",
    ),
    Knob(
        "seed",
        "seed",
        None,
        "per request: draw this request's delay and fault from this seed; in the environment "
        "or /config: seed the server's generator so a run repeats",
        "seed=42",
        hi=SEED_MAX,
    ),
    Knob("error_rate", "float", 0.0, "probability of an error answer", "error_rate=0.1", hi=1.0),
    Knob(
        "error_status",
        "int",
        500,
        "HTTP status of an injected error",
        "error_status=503",
        lo=400,
        hi=599,
    ),
    Knob(
        "hang_rate",
        "float",
        0.0,
        "probability of a hang: no answer for hang_ms, then the connection is closed",
        "hang_rate=1",
        hi=1.0,
    ),
    Knob(
        "hang_ms",
        "float",
        30_000.0,
        "how long a hang lasts before it is cut (ms)",
        "hang_ms=5000",
        hi=CEILING_DELAY_MS,
        capped_by_max_delay=True,
    ),
    Knob(
        "reset_rate",
        "float",
        0.0,
        "probability of a connection reset (TCP RST) after the delay, with no answer",
        "reset_rate=0.05",
        hi=1.0,
    ),
    Knob(
        "drip_bytes",
        "int",
        0,
        "answer with this many bytes, sent bit by bit over drip_ms",
        "drip_bytes=1000",
        hi=CEILING_BYTES,
    ),
    Knob(
        "drip_ms",
        "float",
        0.0,
        "how long the dripped body takes after the delay (ms)",
        "drip_ms=2000",
        hi=CEILING_DELAY_MS,
        capped_by_max_delay=True,
    ),
    Knob(
        "size_bytes",
        "int",
        0,
        "pad the JSON answer to this many bytes (0: the small body)",
        "size_bytes=65536",
        hi=CEILING_BYTES,
    ),
    Knob(
        "max_delay_ms",
        "float",
        60_000.0,
        "cap on every delay, hang and drip; larger requested values are refused",
        "max_delay_ms=30000",
        scope="server",
        lo=1.0,
        hi=CEILING_DELAY_MS,
    ),
    Knob(
        "max_concurrency",
        "int",
        0,
        "requests served at once (0: no limit); the others queue",
        "max_concurrency=100",
        scope="server",
        hi=1_000_000,
    ),
    Knob(
        "max_queue",
        "int",
        1000,
        "requests that may wait for a slot; beyond it the answer is 503 (0: no queue)",
        "max_queue=0",
        scope="server",
        hi=1_000_000,
    ),
)

BY_NAME: dict[str, Knob] = {k.name: k for k in KNOBS}
REQUEST_KNOBS: tuple[Knob, ...] = tuple(k for k in KNOBS if k.scope == "request")
BY_HEADER: dict[bytes, Knob] = {k.header.lower().encode(): k for k in REQUEST_KNOBS}
RATES = ("error_rate", "hang_rate", "reset_rate")

Value = float | int | str | None


def parse_text(knob: Knob, raw: str, loc: tuple[str, str]) -> Value:
    """Parse a knob from text (query, header, environment) with the lab's one parser per kind."""
    if knob.kind == "choice":
        return _choice(knob, raw, loc)
    if knob.kind == "seed" and raw == "" and loc[0] != "query":
        return None
    if raw == "":
        raise KnobError(loc, "a value is required", raw)
    try:
        number = parse_integer(raw) if knob.kind in ("int", "seed") else parse_number(raw)
    except BadValue as e:
        raise KnobError(loc, str(e), raw) from None
    return _in_bounds(knob, number, loc, raw)


def parse_json(knob: Knob, raw: object, loc: tuple[str, str]) -> Value:
    """Parse a knob from a JSON value (`PUT /config`): numbers must be JSON numbers."""
    if knob.kind == "choice":
        if not isinstance(raw, str):
            raise KnobError(loc, "expected a string", raw)
        return _choice(knob, raw, loc)
    if knob.kind == "seed" and raw is None:
        return None
    # bool is an int in Python, but `true` is not a delay.
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise KnobError(loc, "expected a number", raw)
    if knob.kind in ("int", "seed") and not isinstance(raw, int):
        if not (isinstance(raw, float) and raw.is_integer()):
            raise KnobError(loc, "expected a whole number", raw)
        raw = int(raw)
    return _in_bounds(knob, raw, loc, raw)


def _choice(knob: Knob, text: str, loc: tuple[str, str]) -> str:
    if text not in DISTRIBUTIONS:
        raise KnobError(loc, f"expected {knob.bounds_text()}", text)
    return text


def _in_bounds(knob: Knob, number: float, loc: tuple[str, str], raw: object) -> float | int:
    # A JSON integer is exact and may be far beyond a float's range: compared, never converted.
    if isinstance(number, float) and not math.isfinite(number):
        raise KnobError(loc, "expected a finite number", raw)
    if not knob.lo <= number <= knob.hi:
        hi = _num(knob.hi)
        raise KnobError(loc, f"must be between {_num(knob.lo)} and {hi}", raw)
    if knob.kind in ("int", "seed"):
        return int(number)
    return float(number)


def check_consistent(values: Mapping[str, Value], locs: Mapping[str, tuple[str, str]]) -> None:
    """Rules across knobs: delays under the cap, fault probabilities adding up to at most 1.

    `locs` says where each knob given in this call came from, so the error names it."""
    cap = values["max_delay_ms"]
    assert isinstance(cap, float | int)
    for knob in KNOBS:
        v = values[knob.name]
        if knob.capped_by_max_delay and isinstance(v, float | int) and v > cap:
            raise KnobError(
                locs.get(knob.name, locs.get("max_delay_ms", ("config", knob.name))),
                f"{knob.name}={_num(v)} exceeds max_delay_ms={_num(cap)} (SLOW_MAX_DELAY_MS)",
                v,
            )
    total = 0.0
    for name in RATES:
        rate = values[name]
        assert isinstance(rate, float | int)
        total += rate
    if total > 1.0 + 1e-9:
        given = [locs[n] for n in RATES if n in locs] or [("config", "error_rate")]
        raise KnobError(
            given[0], f"error_rate + hang_rate + reset_rate = {total:g}; at most 1", total
        )
