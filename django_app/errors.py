"""Errors as JSON: the lab's clients are load generators and scripts, never browsers."""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, JsonResponse


def error_response(status: int, message: str, **details: Any) -> JsonResponse:
    return JsonResponse({"error": message, **details}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    # Django's own refusals (more than DATA_UPLOAD_MAX_NUMBER_FIELDS query fields, ...).
    return error_response(400, "bad request", reason=type(exception).__name__)


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return error_response(404, "not found", path=request.path)


def server_error(request: HttpRequest) -> JsonResponse:
    # No detail: a traceback belongs in the server log, not in the answer.
    return error_response(500, "internal error")


class DropUpstreamFaults(logging.Filter):
    """Keeps django.request from logging every 502/504: they are the upstream's faults,
    answered on purpose, and under load (the point of the lab) they would flood the log.
    Real 500s, and anything else at ERROR, still get through."""

    UPSTREAM_STATUSES = frozenset({502, 504})

    def filter(self, record: logging.LogRecord) -> bool:
        return getattr(record, "status_code", None) not in self.UPSTREAM_STATUSES
