"""The web UI's guards: only the lab's own host names and origins may use it (no web page the
user visits can start a swarm), and a start (`POST /swarm`) with a bad knob is refused, with
the reason shown in the UI and logged."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from contracts.hosts import accepted_hosts, is_accepted
from contracts.settings import LabSettings
from loadgen.knobs import knob_errors

if TYPE_CHECKING:  # importing locust at runtime would monkey-patch the caller (gevent)
    from locust.env import Environment

log = logging.getLogger("loadgen")


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def refuse_foreign_requests(environment: Environment) -> None:
    """Refuse a Host that is not the lab's (DNS rebinding) and a state change from another
    origin (a cross-site POST /swarm), and answer no cross-origin reads (Locust allows any
    origin by default)."""
    web_ui = environment.web_ui
    app = web_ui.app if web_ui is not None else None
    if app is None:
        return

    from flask import Response, jsonify, request

    hosts = accepted_hosts(LabSettings.from_env())

    @app.before_request
    def _check_origin() -> Any:
        if not is_accepted(request.host, hosts):
            return jsonify({"error": "unknown host: add it to LAB_ALLOWED_HOSTS"}), 400
        origin = request.headers.get("Origin")
        if request.method not in SAFE_METHODS and origin is not None:
            authority = origin.split("://", 1)[-1]
            if origin == "null" or not is_accepted(authority, hosts):
                log.warning("refused %s %s from origin %s", request.method, request.path, origin)
                return jsonify({"error": f"cross-origin {request.method} refused"}), 403
        return None

    def _no_cross_origin_reads(response: Response) -> Response:
        for name in list(response.headers.keys()):
            if name.lower().startswith("access-control-"):
                del response.headers[name]
        return response

    # Flask runs after-request functions last-registered first: at the front of the list,
    # this one runs after the CORS headers Locust's own hook adds.
    app.after_request_funcs.setdefault(None, []).insert(0, _no_cross_origin_reads)


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
