"""Query parameters as the Django views parse them: bounds, types, unknown and repeated names."""

import pytest
from query_strings import Query

from contracts.params import BadParameter, parse
from contracts.values import flag, integer

SPEC = {"delay_ms": integer(default=200, low=0, high=30_000), "fast": flag(default=True)}


def test_absent_parameters_take_their_defaults() -> None:
    assert parse(Query.parse(""), SPEC) == {"delay_ms": 200, "fast": True}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0", 0), ("30000", 30000), ("42", 42)],
)
def test_whole_numbers_within_bounds(raw: str, expected: int) -> None:
    assert parse(Query.parse(f"delay_ms={raw}"), SPEC)["delay_ms"] == expected


@pytest.mark.parametrize(
    "raw",
    [
        "-1",
        "30001",
        "1.5",
        "abc",
        "",
        " 42 ",
        "--5",
        "-0",
        "1_000",
        "\uff11\uff12",
        "nan",
        "1e3",
        "9" * 40,
    ],
)
def test_bad_numbers_name_the_parameter(raw: str) -> None:
    with pytest.raises(BadParameter) as e:
        parse(Query.parse(f"delay_ms={raw}"), SPEC)
    assert e.value.parameter == "delay_ms"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), ("on", True), ("0", False), ("false", False), ("NO", False)],
)
def test_flag_words_are_booleans(raw: str, expected: bool) -> None:
    assert parse(Query.parse(f"fast={raw}"), SPEC)["fast"] is expected


@pytest.mark.parametrize("query", ["fast=2", "fast=", "fast=maybe"])
def test_other_flag_values_name_the_parameter(query: str) -> None:
    with pytest.raises(BadParameter, match="fast"):
        parse(Query.parse(query), SPEC)


def test_unknown_parameter_is_refused_with_the_known_ones() -> None:
    with pytest.raises(BadParameter) as e:
        parse(Query.parse("delay=5"), SPEC)
    assert e.value.parameter == "delay"
    assert "delay_ms, fast" in e.value.message


def test_repeated_parameter_is_refused() -> None:
    with pytest.raises(BadParameter, match="more than once"):
        parse(Query.parse("delay_ms=1&delay_ms=2"), SPEC)
