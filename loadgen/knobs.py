"""The scenario knobs of the load generators (`--delay-ms`, ...): their defaults and bounds
are the Django app's own (contracts.params), checked by the same parser before any request
is sent. No Locust import here, so the checks can be used and tested anywhere."""

from __future__ import annotations

from typing import Any

from contracts import params
from contracts.values import BadValue, Spec

# (flag, spec, help): the scenario knobs a user may change without editing files. Default and
# bounds are the Django app's own: a value outside them would make every request a 400.
KNOBS: tuple[tuple[str, Spec, str], ...] = (
    (
        "--delay-ms",
        params.UPSTREAM_DELAY_MS,
        "Upstream latency (ms) for the io, db and fanout scenarios; empty: the upstream's own "
        "configuration (io, fanout) or the endpoint's default (db)",
    ),
    ("--cpu-ms", params.CPU_MS, "CPU work (ms) per request for the cpu scenarios"),
    ("--fanout-n", params.FANOUT_N, "Upstream calls per request for the fanout scenarios"),
    ("--stream-events", params.EVENTS, "Events per response for the stream scenario"),
    ("--stream-interval-ms", params.INTERVAL_MS, "Milliseconds between streamed events"),
)


def knob_name(flag: str) -> str:
    return flag.removeprefix("--").replace("-", "_")


KNOB_SPECS = {knob_name(flag): spec for flag, spec, _ in KNOBS}


def knob_value(name: str, given: object) -> int | float | bool | None:
    """The value to send for a knob: as given (already checked by knob_errors), else its
    default; None means "send nothing"."""
    spec = KNOB_SPECS[name]
    if given is None or given == "":
        return spec.default
    return spec.parse(str(given))


def knob_errors(values: Any) -> list[str]:
    """What is wrong with the knobs in `values` (a mapping of knob name to int or text),
    judged by the same parser and bounds as the Django app's."""
    errors = []
    for flag, spec, _ in KNOBS:
        name = knob_name(flag)
        value = values.get(name)
        if value is None or (value == "" and spec.default is None):
            continue  # not given (an optional knob left empty in the web UI)
        try:
            spec.parse(str(value))
        except BadValue as e:
            errors.append(f"{name}: {e} (the Django app's limits)")
    return errors
