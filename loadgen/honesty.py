"""Say what Locust's numbers are: rounded percentiles from a closed-loop generator.

The note goes after the console summary, into `--html` reports, into the web UI's page and
its "Download report" HTML (`/stats/report`), and into the log when a Locust process ran hot
(its own CPU warning then means the load was under-delivered). Locust's CSV and JSON files
stay unchanged: other tools parse them.
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
# The web UI's HTML pages: its start page and the report it renders for "Download report".
_WEB_UI_PAGES = ("/", "/stats/report")


def install(environment: Environment) -> None:
    _install_web_ui(environment)

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


def _install_web_ui(environment: Environment) -> None:
    web_ui = environment.web_ui
    app = web_ui.app if web_ui is not None else None
    if app is None:
        return  # headless, or a worker: no pages to annotate

    from flask import Response, request  # only where a web UI exists (Flask comes with Locust)

    # A hook, not a route: Locust keeps rendering its own pages, we only add the banner.
    @app.after_request
    def _add_note(response: Response) -> Response:
        if (
            request.path in _WEB_UI_PAGES
            and response.mimetype == "text/html"
            and not response.direct_passthrough
        ):
            response.set_data(with_note(response.get_data(as_text=True)))
        return response


def with_note(html: str) -> str:
    """The page with the note at the top of its body, once (unchanged if it has no body)."""
    if _HTML_MARK in html or "<body>" not in html:
        return html
    note = (
        f'{_HTML_MARK}<p style="font-family:sans-serif;padding:8px 16px;margin:0;'
        f'background:#fff3cd;color:#533f03">{NOTE}</p>'
    )
    # The last <body>: Locust's pages carry their data and code in <head>, before it.
    head, tag, body = html.rpartition("<body>")
    return head + tag + note + body


def add_note_to_html(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    noted = with_note(text)
    if noted != text:
        with open(path, "w", encoding="utf-8") as f:
            f.write(noted)
