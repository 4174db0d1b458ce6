"""The web UI's start form checked before anything runs: a start (`POST /swarm`) with a bad
knob is refused, with the reason shown in the UI and logged."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from loadgen.knobs import knob_errors

if TYPE_CHECKING:  # importing locust at runtime would monkey-patch the caller (gevent)
    from locust.env import Environment

log = logging.getLogger("loadgen")


def refuse_bad_knobs(environment: Environment) -> None:
    """Install the /swarm check on the web UI, if this process has one."""
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
