"""Health, the bystander and the metrics page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from prometheus_client.django import PrometheusDjangoView

from django_app.endpoint import endpoint
from django_app.observability.server import refresh_threads, server_of


@endpoint()
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


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
