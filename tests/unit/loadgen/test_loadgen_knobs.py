"""What a load generator sends for each scenario knob: as given, else the app's default, and
nothing at all for the upstream delay left unset (the upstream's live configuration applies)."""

import pytest

from loadgen.knobs import knob_errors, knob_value


@pytest.mark.parametrize("given", [None, ""])
def test_an_unset_upstream_delay_is_not_sent(given: object) -> None:
    assert knob_value("delay_ms", given) is None
    assert knob_errors({"delay_ms": given}) == []


def test_a_given_delay_is_sent_as_a_number() -> None:
    assert knob_value("delay_ms", "0") == 0
    assert knob_value("delay_ms", 250) == 250


def test_a_required_knob_falls_back_to_the_apps_default() -> None:
    assert knob_value("cpu_ms", None) == 50
    assert knob_value("fanout_n", None) == 10
    assert knob_errors({"cpu_ms": ""}) == [
        "cpu_ms: expected a whole number such as 200, got '' (the Django app's limits)"
    ]
