"""The lab's custom Locust arguments: `--target`, the scenario knobs, `--shape` and the
servers' URLs.

They appear in the web UI ("Custom parameters") and on the command line, and Locust forwards
them from the master to its workers. No Locust import here: Locust hands in its parser.
"""

from __future__ import annotations

from typing import Any

from loadgen.knobs import KNOBS, knob_name
from loadgen.targets import CHOICES, TARGETS, default_urls

DEFAULT_TARGET = "asgi"
# Each Django copy's base URL when neither a flag nor a LOCUST_*_URL variable gives one.
DEFAULT_URLS = default_urls()


def add_arguments(parser: Any) -> None:
    """Add the lab's arguments to Locust's parser (the `init_command_line_parser` event)."""
    parser.add_argument(
        "--target",
        choices=CHOICES,
        default=DEFAULT_TARGET,
        env_var="LOCUST_TARGET",
        help="Django copy to load when Host is empty: asgi (uvicorn), wsgi (gunicorn), or "
        "both (users split evenly, each request named after its server; the servers then "
        "share the CPU: load one at a time to compare CPU-bound work)",
    )
    for flag, spec, text in KNOBS:
        env = "LOCUST_" + knob_name(flag).upper()
        # Text, checked at init (init_hook) by the app's own parser (int() would take " 5" or
        # "1_0").
        parser.add_argument(
            flag, type=str, default=spec.default, env_var=env, help=f"{text} ({spec.describe()})"
        )
    parser.add_argument(
        "--shape",
        env_var="LOCUST_SHAPE",
        include_in_web_ui=False,  # the web UI has its own shape picker
        help="Shape class for a headless or autostarted run that loads several (as `lab serve "
        "locust` does): StepsShape, RampShape, SpikeShape, or none for constant users",
    )
    for name in TARGETS:
        parser.add_argument(
            f"--{name}-url",
            default=DEFAULT_URLS[name],
            env_var=f"LOCUST_{name.upper()}_URL",
            include_in_web_ui=False,
            help=f"Base URL of the {name.upper()} server (compose: http://django-{name}:PORT); "
            "a worker's own LOCUST_*_URL wins over its master's",
        )
