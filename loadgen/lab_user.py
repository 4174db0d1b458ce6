"""The base of every lab user class.

Every locustfile imports this module, which also registers the lab's Locust hooks: its custom
arguments (`loadgen.arguments`) and what it does at init (`loadgen.init_hook`: the knob check,
`/metrics`, the honesty notes, the web UI's /swarm check, the `--shape` choice).
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlencode

from locust import FastHttpUser, constant, events
from locust.env import Environment

from loadgen.arguments import DEFAULT_TARGET, DEFAULT_URLS, add_arguments
from loadgen.init_hook import on_init
from loadgen.knobs import knob_value
from loadgen.targets import BOTH, TARGETS, named, own_urls, resolve, server_of_user

# locust's EventHook is untyped: register through Any rather than a decorator.
_hooks: Any = events
_hooks.init_command_line_parser.add_listener(add_arguments)
_hooks.init.add_listener(on_init)

# Users started so far in this process, by class: with `--target both` the next one of a
# class goes to the other server, so every class splits evenly.
_started: Counter[str] = Counter()


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
        options = environment.parsed_options
        if options is not None and options.worker:
            # Locust hands a worker the master's URLs; its own (another machine's view) win.
            urls.update(own_urls())
        # Each worker process starts counting at its own index, so one user per worker
        # still splits across the servers.
        index = _started[type(self).__name__] + getattr(environment.runner, "worker_index", 0)
        _started[type(self).__name__] += 1
        self.server = server_of_user(target, index)
        # Named after its server only when both are loaded: one target keeps plain names.
        self.prefix = target == BOTH and not environment.host
        self.host = resolve(environment.host, self.server, urls)
        super().__init__(environment)

    def get(self, path: str, *, name: str | None = None, **params: Any) -> None:
        """GET path?params, named by its path (or `name`) so every query string counts as one
        row, after its server (`wsgi /ping`) in a `both` run."""
        # A knob left unset (None) is not sent: the endpoint's own default applies.
        given = {k: v for k, v in params.items() if v is not None}
        query = f"?{urlencode(given)}" if given else ""
        label = name or path
        self.client.get(path + query, name=named(self.server, label) if self.prefix else label)

    def knob(self, name: str) -> int | float | bool | None:
        """A scenario knob (`delay_ms`, ...): as given (text, checked at start), else the Django
        app's default (None: not sent)."""
        return knob_value(name, self.option(name, None))

    def option(self, name: str, default: Any, environment: Environment | None = None) -> Any:
        options = (environment or self.environment).parsed_options
        value = getattr(options, name, None) if options is not None else None
        return default if value is None else value
