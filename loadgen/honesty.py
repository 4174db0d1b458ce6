"""Say what Locust's numbers are: rounded percentiles from a closed-loop generator.

The note goes after the console summary, into the HTML report, and into the log when a
Locust process ran hot (its own CPU warning then means the load was under-delivered).
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

from loadgen.rounding import NOTE

if TYPE_CHECKING:  # importing locust at runtime would monkey-patch the caller (gevent)
    from locust.env import Environment

log = logging.getLogger("loadgen")
_HTML_MARK = "<!-- asynclab-rounding-note -->"


def install(environment: Environment) -> None:
    def _on_quit(exit_code: int, **_: Any) -> None:
        runner = environment.runner
        if runner is None or type(runner).__name__ == "WorkerRunner":
            return  # workers print no summary: the master reports
        log.info("Note: %s", NOTE)
        if runner.cpu_warning_emitted or getattr(runner, "worker_cpu_warning_emitted", False):
            log.warning(
                "A Locust process exceeded 90 %% CPU: it under-delivered load and added its "
                "own delay to the response times. Add workers (LOCUST_WORKERS) or lower users."
            )
        options = environment.parsed_options
        html = getattr(options, "html_file", None) if options is not None else None
        if html and os.path.exists(html):
            add_note_to_html(html)

    quit_hook: Any = environment.events.quit  # locust's EventHook is untyped
    quit_hook.add_listener(_on_quit)


def add_note_to_html(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if _HTML_MARK in text or "<body>" not in text:
        return
    note = (
        f'{_HTML_MARK}<p style="font-family:sans-serif;padding:8px 16px;margin:0;'
        f'background:#fff3cd;color:#533f03">{NOTE}</p>'
    )
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace("<body>", "<body>" + note, 1))
