"""What the lab does when Locust starts a process (its `init` event): check the knobs given on
the command line or in `LOCUST_*` variables, exiting on a bad one, then install the lab's
additions (`/metrics`, the honesty notes, the web UI's host/origin and /swarm checks, its
start form's first state, the `--shape` choice)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import gevent

from loadgen import exporter, honesty, shape_choice, start_form, web_ui
from loadgen.knobs import knob_errors

if TYPE_CHECKING:  # importing locust at runtime would monkey-patch the caller (gevent)
    from locust.env import Environment


def on_init(environment: Environment, **_: Any) -> None:
    # gevent's clock stood still while Locust imported the locustfiles (Django's params
    # included): without this, `-t 3s` would count those seconds and end the run early.
    gevent.get_hub().loop.update_now()
    options = environment.parsed_options
    errors = knob_errors(vars(options)) if options is not None else []
    if errors:
        # Before any user starts: every request would fail with 400 otherwise.
        sys.exit("locust: " + "; ".join(errors))
    exporter.install(environment)
    honesty.install(environment)
    web_ui.refuse_foreign_requests(environment)
    web_ui.refuse_bad_knobs(environment)
    start_form.install(environment)
    shape_choice.choose_shape(environment)
