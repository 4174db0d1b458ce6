"""The same text gets the same verdict from every consumer of its kind: the Django
parameters, the upstream's knobs, the lab settings, the Locust options and `lab load`.

Each consumer is called the way it is used and answers with the value it accepted or with
its error, which must name the field it was given as.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator, Sequence
from typing import NoReturn

import pytest
from query_strings import Query

from contracts import params
from contracts.settings import DEFAULT_MAX_IN_FLIGHT, LabSettings, SettingsError
from contracts.values import Spec, flag, integer
from lab.load import main as lab_load
from loadgen.knobs import knob_errors
from loadgen.openmodel.schedule import Stage, parse_stages
from slow_upstream.knobs import BY_NAME, KnobError, parse_text

Verdict = float | bool | str  # the value accepted, or "error"
ERROR = "error"

# The inputs, with the verdict of each kind; every accepted value lies inside every consumer's
# bounds, so a difference can only come from the parser.
INPUTS: dict[str, dict[str, Verdict]] = {
    "5": {"integer": 5, "number": 5.0, "duration": 5.0, "flag": ERROR},
    "1": {"integer": 1, "number": 1.0, "duration": 1.0, "flag": True},
    "0": {"integer": ERROR, "number": ERROR, "duration": ERROR, "flag": False},
    "5.0": {"integer": ERROR, "number": 5.0, "duration": 5.0, "flag": ERROR},
    "500ms": {"integer": ERROR, "number": ERROR, "duration": 0.5, "flag": ERROR},
    "true": {"integer": ERROR, "number": ERROR, "duration": ERROR, "flag": True},
    "1_000": dict.fromkeys(("integer", "number", "duration", "flag"), ERROR),
    " 5": dict.fromkeys(("integer", "number", "duration", "flag"), ERROR),
    "+5": dict.fromkeys(("integer", "number", "duration", "flag"), ERROR),
    "-0": dict.fromkeys(("integer", "number", "duration", "flag"), ERROR),
    "--5": dict.fromkeys(("integer", "number", "duration", "flag"), ERROR),
    "\u0665": dict.fromkeys(("integer", "number", "duration", "flag"), ERROR),
    "1e3": dict.fromkeys(("integer", "number", "duration", "flag"), ERROR),
    "NaN": dict.fromkeys(("integer", "number", "duration", "flag"), ERROR),
    "Infinity": dict.fromkeys(("integer", "number", "duration", "flag"), ERROR),
    "1e400": dict.fromkeys(("integer", "number", "duration", "flag"), ERROR),
    "": dict.fromkeys(("integer", "number", "duration", "flag"), ERROR),
    "9" * 400: dict.fromkeys(("integer", "number", "duration", "flag"), ERROR),
}
# "0" is a valid integer and number, but below the bounds of the consumers below that need a
# positive value (workers, a rate): its verdict here is the bound's, the same everywhere.


def _error(names_the_field: bool, error: object) -> Verdict:
    """ERROR, for an error that names the field; otherwise what the error said instead."""
    return ERROR if names_the_field else f"unnamed field: {error}"


def _django(spec: Spec) -> Callable[[str], Verdict]:
    def consume(raw: str) -> Verdict:
        try:
            value = params.parse(Query({"x": [raw]}), {"x": spec})["x"]
        except params.BadParameter as e:
            return _error(e.parameter == "x", e)
        assert value is not None  # a value was given
        return value

    return consume


def _upstream(knob: str) -> Callable[[str], Verdict]:
    def consume(raw: str) -> Verdict:
        try:
            value = parse_text(BY_NAME[knob], raw, ("query", knob))
        except KnobError as e:
            return _error(e.loc == ("query", knob), e)
        assert isinstance(value, int | float)
        return value

    return consume


def _setting(name: str) -> Callable[[str], Verdict]:
    def consume(raw: str) -> Verdict:
        if raw == "":
            return ERROR  # an empty variable means "unset" (compose passes ${X:-}); see below
        try:
            value = getattr(LabSettings.from_env({name: raw}), name.lower())
        except SettingsError as e:
            return _error(str(e).startswith(name), e)
        assert isinstance(value, int | float)
        return value

    return consume


def _locust(knob: str) -> Callable[[str], Verdict]:
    def consume(raw: str) -> Verdict:
        errors = knob_errors({knob: raw})
        if errors:
            return _error(errors[0].startswith(f"{knob}: "), errors[0])
        return int(raw)

    return consume


def _lab_load(option: str) -> Callable[[str], Verdict]:
    def consume(raw: str) -> Verdict:
        args = argparse.Namespace(
            url="http://127.0.0.1:1/", rate="5", duration="1s", stages=None, timeout="1s"
        )
        args.target = args.path = None
        args.max_in_flight = "5"
        setattr(args, option.removeprefix("--").replace("-", "_"), raw)
        try:
            _stopping_at_the_generator(lambda: lab_load(args, LabSettings()))
        except SystemExit as e:
            return _error(str(e.code).startswith(f"lab load: {option}"), e)
        except _Ran as ran:
            if option == "--max-in-flight":
                return float(ran.max_in_flight)
            if option == "--timeout":
                return ran.timeout_s
            stage = ran.stages[0]
            return float(stage.rate if option == "--rate" else stage.duration_s)
        raise AssertionError("lab load neither refused its options nor started the generator")

    return consume


class _Ran(Exception):
    """The generator was reached, with what it was given: every option was accepted."""

    def __init__(self, stages: Sequence[Stage], timeout_s: float, max_in_flight: int) -> None:
        super().__init__()
        self.stages = stages
        self.timeout_s = timeout_s
        self.max_in_flight = max_in_flight


def _run_each(
    urls: dict[str, str],
    stages: Sequence[Stage],
    *,
    timeout_s: float = 30.0,
    max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
) -> NoReturn:
    """In place of the generator's `run_each`: stops `lab load` where the load would start."""
    raise _Ran(stages, timeout_s, max_in_flight)


def _stopping_at_the_generator(call: Callable[[], object]) -> None:
    import loadgen.openmodel

    saved = loadgen.openmodel.run_each
    loadgen.openmodel.run_each = _run_each
    try:
        call()
    finally:
        loadgen.openmodel.run_each = saved


def _stage(part: str) -> Callable[[str], Verdict]:
    def consume(raw: str) -> Verdict:
        text = f"{raw}:1s" if part == "rate" else f"5:{raw}"
        try:
            stage = parse_stages(text)[0]
        except ValueError:
            return ERROR
        return float(stage.rate if part == "rate" else stage.duration_s)

    return consume


CONSUMERS: dict[str, dict[str, Callable[[str], Verdict]]] = {
    "integer": {
        "django delay_ms": _django(integer(default=200, low=1, high=30_000)),
        "upstream drip_bytes": _upstream("drip_bytes"),
        "setting WEB_WORKERS": _setting("WEB_WORKERS"),
        "locust cpu_ms": _locust("cpu_ms"),
        "lab load --max-in-flight": _lab_load("--max-in-flight"),
    },
    "number": {
        "upstream delay_ms": _upstream("delay_ms"),
        "setting UPSTREAM_TIMEOUT_S": _setting("UPSTREAM_TIMEOUT_S"),
        "lab load --rate": _lab_load("--rate"),
        "lab load --stages rate": _stage("rate"),
    },
    "duration": {
        "lab load --duration": _lab_load("--duration"),
        "lab load --timeout": _lab_load("--timeout"),
        "lab load --stages duration": _stage("duration"),
    },
    "flag": {"django thread_sensitive": _django(flag(default=True))},
}


def cases() -> Iterator[object]:
    for kind, consumers in CONSUMERS.items():
        for name, consume in consumers.items():
            for raw, verdicts in INPUTS.items():
                yield pytest.param(consume, raw, verdicts[kind], id=f"{name}-{raw[:12]!r}")


@pytest.mark.parametrize(("consume", "raw", "expected"), list(cases()))
def test_every_consumer_of_a_kind_gives_the_same_verdict(
    consume: Callable[[str], Verdict], raw: str, expected: Verdict
) -> None:
    got = consume(raw)
    # The integer consumers that take 0 bound their values below at 1 here (workers, in-flight)
    # or at 0 (delays): "0" then passes the parser and is judged by the bound alone.
    assert got == expected or (raw == "0" and got == 0)


def test_an_empty_variable_means_the_default_as_compose_passes_it() -> None:
    # The one exception to "empty is an error": `${WEB_WORKERS:-}` hands an empty string to a
    # container that was given none, so the settings read it as unset.
    assert LabSettings.from_env({"WEB_WORKERS": ""}).web_workers == LabSettings().web_workers
