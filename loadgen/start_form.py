"""The web UI's start form as a newcomer first sees it: one scenario ticked (the slow-I/O
lesson) with the others listed one click away, the target and delay the run will use written
beside their fields, and no warning asking to fill the Host field the lab wants left empty.

Locust renders the form from its template arguments (`window.templateArgs`), recomputed at
each page load: the class picker lists `users` and ticks `available_user_classes`, so ticking
fewer than are listed is a matter of narrowing the second.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from loadgen.arguments import DEFAULT_TARGET, DEFAULT_URLS
from loadgen.targets import BOTH, TARGETS

if TYPE_CHECKING:  # importing locust at runtime would monkey-patch the caller (gevent)
    from locust.env import Environment

# Ticked when the form first opens: an async view awaiting the slow upstream, the first lesson.
FIRST_CLASS = "IoAsyncUser"


def install(environment: Environment) -> None:
    web_ui = environment.web_ui
    if web_ui is None or web_ui.app is None:
        return
    update: Any = web_ui.update_template_args  # untyped in Locust

    def update_template_args() -> None:
        update()
        adjust(web_ui.template_args, environment)

    # Locust calls it through the instance at each page load: our adjustment follows it.
    web_ui.update_template_args = update_template_args  # type: ignore[method-assign]


def adjust(args: dict[str, Any], environment: Environment) -> None:
    """Change Locust's template arguments in place (see the module's docstring)."""
    ready = environment.runner is None or environment.runner.state == "ready"
    listed = args.get("users") or {}
    if ready and FIRST_CLASS in listed:
        args["available_user_classes"] = [FIRST_CLASS]
    elif not ready:  # after a run, tick what ran
        args["available_user_classes"] = sorted(c.__name__ for c in environment.user_classes)
    # Host empty is the lab's normal case: each user takes its server from `target`.
    args["missing_host_warning"] = False
    options = environment.parsed_options
    extra = args.get("extra_options") or {}
    if "target" in extra:
        target = getattr(options, "target", None) or DEFAULT_TARGET
        extra["target"]["help_text"] = target_help(target, _urls(options))
    if "delay_ms" in extra:
        extra["delay_ms"]["help_text"] = delay_help()


def _urls(options: Any) -> dict[str, str]:
    return {t: getattr(options, f"{t}_url", None) or DEFAULT_URLS[t] for t in TARGETS}


def target_help(target: str, urls: Mapping[str, str]) -> str:
    """The target field's label: where each choice sends the run, the current one first."""
    what = {"asgi": "Django on uvicorn", "wsgi": "Django on gunicorn"}
    where = {t: f"{t} loads {urls[t]} ({what[t]})" for t in TARGETS}
    both = f"{BOTH} splits the users evenly between the two (they then share the CPU)"
    choices = [where.get(target, both)] + [
        text for name, text in (*where.items(), (BOTH, both)) if name != target
    ]
    return "; ".join(choices) + ". Used while Host is empty: leave it empty to load the lab"


def delay_help() -> str:
    """The delay_ms field's label: the upstream wait the io, db and fanout requests ask for."""
    return (
        "ms the upstream waits per call in the io, db and fanout scenarios; empty: none is "
        "sent, so the upstream's live configuration applies (200 ms unless changed with PUT "
        "/config) and the db endpoints wait their default 200 ms"
    )
