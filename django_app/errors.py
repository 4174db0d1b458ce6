"""Errors as JSON for the lab's clients (load generators, scripts), as an HTML page for a
browser: one that names `text/html` in its Accept header, which curl, Locust and the lab's
own clients never do (they send `*/*` or nothing)."""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string


def wants_html(request: HttpRequest | None) -> bool:
    if request is None:
        return False
    accepted = request.headers.get("Accept", "")
    return any(part.split(";")[0].strip() == "text/html" for part in accepted.split(","))


def error_response(
    status: int, message: str, request: HttpRequest | None = None, **details: Any
) -> HttpResponse:
    if wants_html(request):
        page = render_to_string(
            "django_app/error.html",
            {"status": status, "message": message, "details": list(details.items())},
        )
        return HttpResponse(page, status=status, content_type="text/html; charset=utf-8")
    return JsonResponse({"error": message, **details}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Django's own refusals (more than DATA_UPLOAD_MAX_NUMBER_FIELDS query fields, ...).
    return error_response(400, "bad request", request, reason=type(exception).__name__)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(404, "not found", request, path=request.path)


def server_error(request: HttpRequest) -> HttpResponse:
    # No detail: a traceback belongs in the server log, not in the answer.
    return error_response(500, "internal error", request)


class DropUpstreamFaults(logging.Filter):
    """Keeps django.request from logging every 502/504: they are the upstream's faults,
    answered on purpose, and under load (the point of the lab) they would flood the log.
    Real 500s, and anything else at ERROR, still get through."""

    UPSTREAM_STATUSES = frozenset({502, 504})

    def filter(self, record: logging.LogRecord) -> bool:
        return getattr(record, "status_code", None) not in self.UPSTREAM_STATUSES
