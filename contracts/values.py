"""The one parser for each kind of value the lab reads from text: integer, number, duration
and flag. The Django parameters, the upstream's knobs, the lab settings, the Locust options
and `lab load` all call these, so the same text gets the same verdict everywhere.

The grammar is deliberately plain, as the docs state it:

- integer: ASCII digits with an optional leading minus, no leading zeros, at most 15 digits
  (`200`, `-1`; not ` 5`, `+5`, `-0`, `05`, `1_000`, Arabic-Indic digits, `5.0`, `1e3`);
- number: an integer, optionally with a fraction (`0.5`, `200`; not `.5`, `5.`, `1e3`,
  `NaN`, `Infinity`);
- duration: a number of seconds, or a number with a unit `ms`, `s`, `m`, `h` (`10s`, `500ms`);
- flag: `1`/`0`, `true`/`false`, `yes`/`no`, `on`/`off`, in any case.

Nothing is stripped: a value padded with spaces is refused rather than guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["integer", "number", "duration", "flag"]

_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]{0,14})")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,15})?")
_DURATION = re.compile(r"(?P<number>[0-9.]+)(?P<unit>ms|s|m|h)?")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


class BadValue(ValueError):
    """Text that is not a value of its kind, or out of bounds. The message says what was
    expected; the caller adds which field it was (a parameter, a variable, an option)."""


def _shown(raw: str) -> str:
    # Never echo more than a short excerpt of bad input.
    return repr(raw if len(raw) <= 40 else raw[:40] + "...")


def parse_integer(raw: str) -> int:
    if _INTEGER.fullmatch(raw) is None or raw == "-0":
        raise BadValue(f"expected a whole number such as 200, got {_shown(raw)}")
    return int(raw)


def parse_number(raw: str) -> float:
    if _NUMBER.fullmatch(raw) is None or (raw.startswith("-") and float(raw) == 0):
        raise BadValue(f"expected a number such as 0.5 or 200, got {_shown(raw)}")
    return float(raw)


def parse_duration(raw: str) -> float:
    """Seconds."""
    match = _DURATION.fullmatch(raw)
    if match is None or _NUMBER.fullmatch(match["number"]) is None:
        raise BadValue(f"expected a duration such as 10s, 500ms or 2m, got {_shown(raw)}")
    return float(match["number"]) * _UNITS[match["unit"] or "s"]


def parse_flag(raw: str) -> bool:
    text = raw.lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadValue(f"expected 1 or 0 (or true/false, yes/no, on/off), got {_shown(raw)}")


PARSERS = {
    "integer": parse_integer,
    "number": parse_number,
    "duration": parse_duration,
    "flag": parse_flag,
}


@dataclass(frozen=True)
class Spec:
    """A value's kind, default and bounds: the one spec type behind every knob of the lab."""

    kind: Kind
    # None: not given means "the receiver's own default" (the upstream's configured delay).
    default: int | float | bool | None
    low: float | None = None
    high: float | None = None

    def parse(self, raw: str) -> int | float | bool:
        value = PARSERS[self.kind](raw)
        if (self.low is not None and value < self.low) or (
            self.high is not None and value > self.high
        ):
            raise BadValue(f"must be {self.bounds()}, got {_number(value)}")
        return value

    def bounds(self) -> str:
        unit = " s" if self.kind == "duration" else ""
        if self.low is None and self.high is None:
            return "any"
        if self.high is None:
            return f"at least {_number(self.low)}{unit}"
        if self.low is None:
            return f"at most {_number(self.high)}{unit}"
        return f"between {_number(self.low)} and {_number(self.high)}{unit}"

    def describe(self) -> str:
        if self.kind == "flag":
            return f"1 or 0 (default {int(bool(self.default))})"
        low, high = _number(self.low), _number(self.high)
        default = "none" if self.default is None else _number(self.default)
        return f"{low}-{high} (default {default})"


def integer(default: int | None, low: int, high: int) -> Spec:
    return Spec("integer", default, low, high)


def flag(default: bool) -> Spec:
    return Spec("flag", default)


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return str(int(value)) if float(value).is_integer() else str(value)
