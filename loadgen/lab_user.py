"""The base of every lab user class.

Every locustfile imports this module, which also registers the lab's Locust hooks: its custom
arguments (`loadgen.arguments`) and what it does at init (`loadgen.init_hook`: the knob check,
`/metrics`, the honesty notes, the web UI's /swarm check, the `--shape` choice).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from locust import FastHttpUser, constant, events
from locust.env import Environment

from loadgen.arguments import DEFAULT_TARGET, DEFAULT_URLS, add_arguments
from loadgen.init_hook import on_init
from loadgen.knobs import knob_value
from loadgen.targets import TARGETS, resolve

# locust's EventHook is untyped: register through Any rather than a decorator.
_hooks: Any = events
_hooks.init_command_line_parser.add_listener(add_arguments)
_hooks.init.add_listener(on_init)


class LabUser(FastHttpUser):
    """A closed-loop user: sends, waits for the reply, sends again at once.

    No think time, so N users keep N requests in flight: the concurrency that Little's law
    relates to throughput and latency.
    """

    abstract = True
    wait_time = constant(0)

    def __init__(self, environment: Environment) -> None:
        # Resolve before FastHttpUser builds its client from self.host.
        target = self.option("target", DEFAULT_TARGET, environment)
        urls = {t: self.option(f"{t}_url", DEFAULT_URLS[t], environment) for t in TARGETS}
        self.host = resolve(environment.host, target, urls)
        super().__init__(environment)

    def get(self, path: str, *, name: str | None = None, **params: Any) -> None:
        """GET path?params, named by its path (or `name`) so every query string counts as one
        row."""
        # A knob left unset (None) is not sent: the endpoint's own default applies.
        given = {k: v for k, v in params.items() if v is not None}
        query = f"?{urlencode(given)}" if given else ""
        self.client.get(path + query, name=name or path)

    def knob(self, name: str) -> int | float | bool | None:
        """A scenario knob (`delay_ms`, ...): as given (text, checked at start), else the Django
        app's default (None: not sent)."""
        return knob_value(name, self.option(name, None))

    def option(self, name: str, default: Any, environment: Environment | None = None) -> Any:
        options = (environment or self.environment).parsed_options
        value = getattr(options, name, None) if options is not None else None
        return default if value is None else value
