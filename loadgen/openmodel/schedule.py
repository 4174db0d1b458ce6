"""When each request should start: a constant arrival rate per stage, stages back to back."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from contracts import values

MAX_RATE = 100_000.0
MAX_DURATION_S = 24 * 3600.0


@dataclass(frozen=True)
class Stage:
    rate: float  # requests per second
    duration_s: float

    def __post_init__(self) -> None:
        if not 0 < self.rate <= MAX_RATE:
            raise ValueError(f"rate {self.rate:g}: expected a number in (0, {MAX_RATE:g}]")
        if not 0 < self.duration_s <= MAX_DURATION_S:
            raise ValueError(f"duration {self.duration_s:g} s: expected (0, {MAX_DURATION_S:g}]")

    @property
    def requests(self) -> int:
        return round(self.rate * self.duration_s)


def intended_offsets(stages: Sequence[Stage]) -> Iterator[float]:
    """Seconds after t0 at which request i should start: start_of_stage + i / rate.

    Computed from the index, never by adding intervals, so rounding never drifts.
    """
    start = 0.0
    for stage in stages:
        for i in range(stage.requests):
            yield start + i / stage.rate
        start += stage.duration_s


def total_duration(stages: Sequence[Stage]) -> float:
    return sum(s.duration_s for s in stages)


def total_requests(stages: Sequence[Stage]) -> int:
    return sum(s.requests for s in stages)


def parse_duration(text: str) -> float:
    """'10s', '1.5m', '500ms' or a bare number of seconds (the lab's one duration parser)."""
    try:
        return values.parse_duration(text)
    except values.BadValue as e:
        raise ValueError(f"duration: {e}") from None


def parse_stages(text: str) -> list[Stage]:
    """'100:10s,200:10s' -> a stage of 100 req/s for 10 s, then 200 req/s for 10 s."""
    stages = []
    for part in text.split(","):
        rate, sep, duration = part.partition(":")
        if not sep:
            raise ValueError(f"stage {part!r}: expected RATE:DURATION, e.g. 100:10s")
        try:
            r = values.parse_number(rate)
        except values.BadValue as e:
            raise ValueError(f"stage {part!r}: rate: {e}") from None
        stages.append(Stage(r, parse_duration(duration)))
    return stages
