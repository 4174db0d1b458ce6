import itertools
import math

import pytest

from loadgen.openmodel.schedule import (
    Stage,
    intended_offsets,
    parse_duration,
    parse_stages,
    total_requests,
)


def test_constant_rate_starts_on_an_even_clock() -> None:
    offsets = list(intended_offsets([Stage(rate=200, duration_s=2)]))
    assert len(offsets) == 400
    assert offsets[0] == 0.0
    gaps = {round(b - a, 9) for a, b in itertools.pairwise(offsets)}
    assert gaps == {0.005}
    assert math.isclose(offsets[-1], 2 - 0.005)


def test_stages_follow_each_other_without_drift() -> None:
    stages = [Stage(10, 1), Stage(1000, 3)]
    offsets = list(intended_offsets(stages))
    assert total_requests(stages) == len(offsets) == 3010
    assert offsets[10] == 1.0  # the second stage starts exactly at its boundary
    # Computed from the index: the last start is exact, not the sum of 3000 rounded steps.
    assert offsets[-1] == 1.0 + 2999 / 1000


@pytest.mark.parametrize(
    ("text", "seconds"), [("10s", 10.0), ("500ms", 0.5), ("2m", 120.0), ("3", 3.0)]
)
def test_durations_take_ms_s_or_m_and_a_bare_number_is_seconds(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


def test_stages_are_comma_separated_rate_colon_duration() -> None:
    assert parse_stages("100:10s,200:5s") == [Stage(100, 10), Stage(200, 5)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("100", "expected RATE:DURATION"),
        ("fast:10s", "rate: expected a number"),
        ("100:ten", "expected a duration such as 10s"),
        ("0:10s", "rate 0"),
        ("nan:10s", "rate: expected a number"),
        ("100:0s", "duration 0"),
    ],
)
def test_bad_stages_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_stages(text)
