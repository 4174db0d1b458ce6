"""Health, the bystander and the metrics page."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from prometheus_client.django import PrometheusDjangoView

from contracts.processes import process_start
from django_app.endpoint import endpoint
from django_app.observability.server import refresh_threads, server_of


@endpoint()
def healthz(request: HttpRequest) -> JsonResponse:
    """Alive, and what this server is: an exercise measures a running server only when it runs
    as the exercise needs (the settings that shape it), and reads /proc for it only when its
    process is on the same machine (same pid, same start time)."""
    return JsonResponse(
        {
            "status": "ok",
            "server": server_of(request),
            "settings": settings.LAB.server_shaping(),
            "extra_middleware": settings.EXTRA_MIDDLEWARE,
            "process": {"pid": os.getpid(), "started": process_start()},
        }
    )


@endpoint()
def ping(request: HttpRequest) -> JsonResponse:
    """No I/O, no work: its latency is pure queueing, so it shows the collateral damage a
    slow or blocking request does to its neighbours."""
    return JsonResponse({"pong": True, "server": server_of(request)})


class MetricsView(PrometheusDjangoView):
    """prometheus_client's Django view (multiprocess-aware), with a fresh thread count for
    the process that answers the scrape."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refresh_threads(server_of(request), force=True)
        # prometheus_client's view is untyped.
        response: HttpResponse = super().get(request, *args, **kwargs)  # type: ignore[no-untyped-call]
        return response


# Through `endpoint` like every other URL: no parameters, GET/HEAD only, JSON errors.
metrics = endpoint()(MetricsView.as_view())
