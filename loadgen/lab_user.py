"""The base of every lab user class, and the lab's custom Locust arguments.

The arguments appear in the web UI ("Custom parameters") and on the command line, and
Locust forwards them from the master to its workers. Every locustfile imports this module,
which also installs the `/metrics` endpoint and the honesty notes.
"""

from __future__ import annotations

import logging
import sys
from typing import Any
from urllib.parse import urlencode

import gevent
from locust import FastHttpUser, constant, events
from locust.env import Environment

from loadgen import exporter, honesty
from loadgen.knobs import KNOB_SPECS, KNOBS, knob_errors, knob_name
from loadgen.targets import TARGETS, default_urls, resolve

_URLS = default_urls()
log = logging.getLogger("loadgen")


def _add_arguments(parser: Any) -> None:
    parser.add_argument(
        "--target",
        choices=TARGETS,
        default="asgi",
        env_var="LOCUST_TARGET",
        help="Django copy to load when Host is empty: asgi (uvicorn) or wsgi (gunicorn)",
    )
    for flag, spec, text in KNOBS:
        env = "LOCUST_" + knob_name(flag).upper()
        # Text, checked in _on_init by the app's own parser (int() would take " 5" or "1_0").
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
            default=_URLS[name],
            env_var=f"LOCUST_{name.upper()}_URL",
            include_in_web_ui=False,
            help=f"Base URL of the {name.upper()} server (compose: http://django-{name}:PORT)",
        )


def _on_init(environment: Environment, **_: Any) -> None:
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
    _refuse_bad_knobs_in_web_ui(environment)
    _choose_shape(environment)


def _choose_shape(environment: Environment) -> None:
    options = environment.parsed_options
    if options is None or options.worker:
        return  # a worker runs no shape: its master does
    shapes = environment.available_shape_classes or {}
    choice = getattr(options, "shape", None)
    if choice:
        if choice.lower() == "none":
            environment.shape_class = None
        elif choice in shapes:
            shape = shapes[choice]
            shape.runner = environment.runner
            environment.shape_class = shape
        else:
            known = ", ".join(["none", *sorted(shapes)])
            sys.exit(f"locust: --shape {choice}: expected one of {known}")
    elif (options.headless or options.autostart) and len(shapes) > 1:
        # Locust silently applies the first shape it loaded: say which, and how to choose.
        log.warning(
            "Several shapes are loaded and none was chosen: Locust applies %s. Set --shape "
            "(LOCUST_SHAPE) to one of none, %s.",
            type(environment.shape_class).__name__,
            ", ".join(sorted(shapes)),
        )


def _refuse_bad_knobs_in_web_ui(environment: Environment) -> None:
    web_ui = environment.web_ui
    app = web_ui.app if web_ui is not None else None
    if app is None:
        return

    from flask import jsonify, request

    # The start form posts the knobs to /swarm: refuse the start there, with the reason
    # shown in the UI, rather than run a test whose every request is a 400.
    @app.before_request
    def _check_knobs() -> Any:
        if request.path != "/swarm" or request.method != "POST":
            return None
        errors = knob_errors(request.form)
        if not errors:
            return None
        message = "Not started: " + "; ".join(errors)
        log.error(message)
        return jsonify({"success": False, "message": message, "host": environment.host})


# locust's EventHook is untyped: register through Any rather than a decorator.
_hooks: Any = events
_hooks.init_command_line_parser.add_listener(_add_arguments)
_hooks.init.add_listener(_on_init)


class LabUser(FastHttpUser):
    """A closed-loop user: sends, waits for the reply, sends again at once.

    No think time, so N users keep N requests in flight: the concurrency that Little's law
    relates to throughput and latency.
    """

    abstract = True
    wait_time = constant(0)

    def __init__(self, environment: Environment) -> None:
        # Resolve before FastHttpUser builds its client from self.host.
        target = self.option("target", "asgi", environment)
        urls = {t: self.option(f"{t}_url", _URLS[t], environment) for t in TARGETS}
        self.host = resolve(environment.host, target, urls)
        super().__init__(environment)

    def get(self, path: str, *, name: str | None = None, **params: Any) -> None:
        """GET path?params, named by its path (or `name`) so every query string counts as one
        row."""
        query = f"?{urlencode(params)}" if params else ""
        self.client.get(path + query, name=name or path)

    def knob(self, name: str) -> int | float | bool:
        """A scenario knob (`delay_ms`, ...): as given (text, checked at start), else the Django
        app's default."""
        spec = KNOB_SPECS[name]
        return spec.parse(str(self.option(name, spec.default)))

    def option(self, name: str, default: Any, environment: Environment | None = None) -> Any:
        options = (environment or self.environment).parsed_options
        value = getattr(options, name, None) if options is not None else None
        return default if value is None else value
