"""Knob validation: every bad value is refused with a message that names the field."""

import math

import pytest

from slow_upstream.config import DEFAULTS, from_env, merge, parse_update
from slow_upstream.knobs import BY_NAME, KNOBS, KnobError, parse_json, parse_text


@pytest.mark.parametrize(
    ("name", "raw", "fragment"),
    [
        ("delay_ms", "-1", "between"),
        ("delay_ms", "nan", "expected a number"),
        ("delay_ms", "inf", "expected a number"),
        ("delay_ms", "1e12", "expected a number"),
        ("delay_ms", "abc", "number"),
        ("delay_ms", "", "required"),
        ("error_rate", "1.5", "between"),
        ("error_status", "200", "between"),
        ("error_status", "500.5", "whole number"),
        ("distribution", "pareto", "one of"),
        ("size_bytes", str(10**9), "between"),
        # int()/float() take these; a knob does not.
        ("delay_ms", "1_0", "number"),
        ("error_status", "5_03", "whole number"),
        ("seed", "4_2", "whole number"),
        ("delay_ms", "\uff11\uff12", "number"),
    ],
)
def test_bad_text_values_name_the_field(name: str, raw: str, fragment: str) -> None:
    with pytest.raises(KnobError) as info:
        parse_text(BY_NAME[name], raw, ("query", name))
    assert info.value.loc == ("query", name)
    assert fragment in info.value.msg


@pytest.mark.parametrize("raw", [True, "200", None, [1], math.nan])
def test_json_delay_must_be_a_finite_number(raw: object) -> None:
    with pytest.raises(KnobError):
        parse_json(BY_NAME["delay_ms"], raw, ("body", "delay_ms"))


def test_good_values_parse_to_their_types() -> None:
    assert parse_text(BY_NAME["delay_ms"], "12.5", ("query", "delay_ms")) == 12.5
    assert parse_text(BY_NAME["error_status"], "503", ("query", "error_status")) == 503
    assert parse_json(BY_NAME["seed"], 7.0, ("body", "seed")) == 7
    assert parse_json(BY_NAME["seed"], None, ("body", "seed")) is None


def test_delays_are_capped_by_max_delay_ms() -> None:
    with pytest.raises(KnobError) as info:
        merge(DEFAULTS, {"delay_ms": 70_000.0}, {"delay_ms": ("query", "delay_ms")})
    assert info.value.loc == ("query", "delay_ms")
    assert "max_delay_ms" in info.value.msg


def test_fault_rates_may_not_add_up_past_one() -> None:
    given = {"error_rate": 0.6, "reset_rate": 0.6}
    with pytest.raises(KnobError) as info:
        merge(DEFAULTS, given, {"reset_rate": ("header", "X-Reset-Rate")})
    assert info.value.loc == ("header", "X-Reset-Rate")


def test_unknown_config_field_is_named() -> None:
    with pytest.raises(KnobError) as info:
        parse_update({"delay_ms": 5, "dealy_ms": 5})
    assert info.value.loc == ("body", "dealy_ms")


def test_environment_sets_defaults_and_names_the_variable() -> None:
    params = from_env({"SLOW_DELAY_MS": "50", "SLOW_DISTRIBUTION": "normal", "SLOW_SEED": ""})
    assert (params.delay_ms, params.distribution, params.seed) == (50.0, "normal", None)
    with pytest.raises(KnobError) as info:
        from_env({"SLOW_MAX_QUEUE": "-3"})
    assert info.value.loc == ("env", "SLOW_MAX_QUEUE")


def test_every_knob_has_env_header_and_bounds() -> None:
    for knob in KNOBS:
        assert knob.env == "SLOW_" + knob.name.upper()
        assert knob.header.startswith("X-")
        assert knob.example.startswith(knob.name + "=")
    assert BY_NAME["delay_ms"].header == "X-Delay-Ms"


def test_hang_ms_left_at_its_default_follows_a_lower_cap() -> None:
    # A cap below the default hang (30 s) must not refuse the default itself.
    params = from_env({"SLOW_MAX_DELAY_MS": "10000"})
    assert (params.max_delay_ms, params.hang_ms) == (10_000.0, 10_000.0)
    at_runtime = merge(DEFAULTS, {"max_delay_ms": 10_000.0}, {"max_delay_ms": ("body", "x")})
    assert at_runtime.hang_ms == 10_000.0
    # ... and back up to the default when the cap rises again, never above it.
    raised = merge(at_runtime, {"max_delay_ms": 600_000.0}, {"max_delay_ms": ("body", "x")})
    assert raised.hang_ms == DEFAULTS.hang_ms


def test_an_explicit_hang_ms_above_the_cap_is_still_refused() -> None:
    with pytest.raises(KnobError) as info:
        from_env({"SLOW_MAX_DELAY_MS": "10000", "SLOW_HANG_MS": "20000"})
    assert info.value.loc == ("env", "SLOW_HANG_MS")
    explicit = merge(DEFAULTS, {"hang_ms": 20_000.0}, {"hang_ms": ("body", "hang_ms")})
    with pytest.raises(KnobError) as info:
        merge(explicit, {"max_delay_ms": 10_000.0}, {"max_delay_ms": ("body", "max_delay_ms")})
    assert info.value.loc == ("body", "max_delay_ms")
    assert "hang_ms=20000 exceeds max_delay_ms=10000" in info.value.msg


def test_a_json_integer_beyond_a_float_is_out_of_bounds_not_a_crash() -> None:
    # Found by the fuzz suite: math.isfinite(10**400) raised OverflowError, a 500.
    with pytest.raises(KnobError) as info:
        parse_json(BY_NAME["delay_ms"], 10**400, ("body", "delay_ms"))
    assert "between" in info.value.msg
    assert len(str(info.value.as_detail()["input"])) <= 80
