"""The base of every lab user class, and the lab's custom Locust arguments.

The arguments appear in the web UI ("Custom parameters") and on the command line, and
Locust forwards them from the master to its workers. Every locustfile imports this module,
which also installs the `/metrics` endpoint and the honesty notes.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from locust import FastHttpUser, constant, events
from locust.env import Environment

from loadgen import exporter, honesty
from loadgen.targets import TARGETS, default_urls, resolve

_URLS = default_urls()

# (flag, default, help): the scenario knobs a user may change without editing files.
KNOBS: tuple[tuple[str, int, str], ...] = (
    ("--delay-ms", 200, "Upstream latency (ms) for the io, db and fanout scenarios"),
    ("--cpu-ms", 50, "CPU work (ms) per request for the cpu scenarios"),
    ("--fanout-n", 5, "Upstream calls per request for the fanout scenarios"),
    ("--stream-events", 10, "Events per response for the stream scenario"),
    ("--stream-interval-ms", 100, "Milliseconds between streamed events"),
)


def _add_arguments(parser: Any) -> None:
    parser.add_argument(
        "--target",
        choices=TARGETS,
        default="asgi",
        env_var="LOCUST_TARGET",
        help="Django copy to load when Host is empty: asgi (uvicorn) or wsgi (gunicorn)",
    )
    for flag, default, text in KNOBS:
        env = "LOCUST_" + flag.removeprefix("--").replace("-", "_").upper()
        parser.add_argument(flag, type=int, default=default, env_var=env, help=text)
    for name in TARGETS:
        parser.add_argument(
            f"--{name}-url",
            default=_URLS[name],
            env_var=f"LOCUST_{name.upper()}_URL",
            include_in_web_ui=False,
            help=f"Base URL of the {name.upper()} server (compose: http://{name}:PORT)",
        )


def _on_init(environment: Environment, **_: Any) -> None:
    exporter.install(environment)
    honesty.install(environment)


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

    def get(self, path: str, **params: Any) -> None:
        """GET path?params, named by its path so every query string counts as one row."""
        query = f"?{urlencode(params)}" if params else ""
        self.client.get(path + query, name=path)

    def option(self, name: str, default: Any, environment: Environment | None = None) -> Any:
        options = (environment or self.environment).parsed_options
        value = getattr(options, name, None) if options is not None else None
        return default if value is None else value
