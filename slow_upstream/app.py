"""The slow upstream: a FastAPI "external API" with configurable latency and faults.

`app` sends `/slow` straight to its lean ASGI handler and everything else (config, health,
metrics, docs) to FastAPI.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import ASGIApp, Receive, Scope, Send

from slow_upstream.config import RuntimeConfig, from_env
from slow_upstream.knobs import KNOBS, REQUEST_KNOBS, Knob, KnobError
from slow_upstream.metrics import QUEUED
from slow_upstream.slow import handle_slow

DESCRIPTION = (
    "A slow, sometimes broken external API for load experiments. `GET /slow` waits without "
    "blocking and answers a small JSON body. Knobs come from `SLOW_*` environment variables "
    "at start, from `PUT /config` at runtime, and per request from query parameters or "
    "`X-*` headers (the query wins)."
)


def create_app(config: RuntimeConfig) -> ASGIApp:
    """The upstream's ASGI app: `/slow` to its lean handler, everything else to FastAPI.

    Long on purpose: each route is a few lines closing over `config`, clearest side by side.
    """
    api = FastAPI(title="slow upstream", version="1.0", description=DESCRIPTION)
    QUEUED.set_function(lambda: float(config.limiter.waiting))

    @api.exception_handler(KnobError)
    async def knob_error(request: Request, exc: KnobError) -> JSONResponse:
        return JSONResponse({"detail": [exc.as_detail()]}, status_code=422)

    @api.get("/healthz")
    async def healthz() -> dict[str, str]:
        """Liveness: answers at once, never waits or fails on purpose."""
        return {"status": "ok"}

    @api.get("/metrics", response_class=Response)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @api.get("/config")
    async def get_config() -> dict[str, Any]:
        """The defaults for requests that override nothing."""
        return config.current.as_dict()

    @api.put("/config", openapi_extra={"requestBody": _config_body()})
    async def put_config(request: Request) -> dict[str, Any]:
        """Change some knobs (the others keep their values); applies to the next request."""
        raw = await request.body()
        try:
            body = json.loads(raw) if raw.strip() else None
        except (ValueError, UnicodeDecodeError):
            raise KnobError(("body", "config"), "invalid JSON", raw.decode("latin-1")) from None
        return config.update(body).as_dict()

    @api.delete("/config")
    async def reset_config() -> dict[str, Any]:
        """Back to the start-up defaults (the `SLOW_*` environment)."""
        return config.reset().as_dict()

    def openapi() -> dict[str, Any]:
        if api.openapi_schema is None:
            schema = get_openapi(
                title=api.title, version=api.version, description=api.description, routes=api.routes
            )
            schema["paths"]["/slow"] = _slow_operation()
            api.openapi_schema = schema
        return api.openapi_schema

    api.openapi = openapi  # type: ignore[method-assign]

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/slow":
            await handle_slow(scope, receive, send, config)
        else:
            await api(scope, receive, send)

    return dispatch


def _schema(knob: Knob) -> dict[str, Any]:
    if knob.kind == "choice":
        return {"type": "string", "enum": ["uniform", "normal", "lognormal", "exponential"]}
    kind = "number" if knob.kind == "float" else "integer"
    schema: dict[str, Any] = {"type": kind, "minimum": knob.lo, "maximum": knob.hi}
    if knob.kind == "seed":
        schema = {"anyOf": [schema, {"type": "null"}]}
    return schema


def _config_body() -> dict[str, Any]:
    props = {k.name: {**_schema(k), "description": k.help} for k in KNOBS}
    schema = {"type": "object", "properties": props, "additionalProperties": False}
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _slow_operation() -> dict[str, Any]:
    params = []
    for k in REQUEST_KNOBS:
        text = f"{k.help}. Bounds: {k.bounds_text()}. Example: `{k.example}`."
        params.append({"name": k.name, "in": "query", "description": text, "schema": _schema(k)})
        params.append(
            {"name": k.header, "in": "header", "description": f"same as `{k.name}`",
             "schema": _schema(k)}
        )  # fmt: skip
    return {
        "get": {
            "summary": "Wait, then answer (or fail as configured)",
            "parameters": params,
            "responses": {
                "200": {"description": '`{"ok":true,"delay_ms":..,"slept_ms":..}`'},
                "422": {"description": "a knob is unknown, malformed or out of bounds"},
                "503": {"description": "max_concurrency reached and the queue is full"},
                "4XX": {"description": "injected error (error_rate, error_status)"},
                "5XX": {"description": "injected error (error_rate, error_status)"},
            },
        }
    }


def _startup_config() -> RuntimeConfig:
    try:
        return RuntimeConfig(from_env())
    except KnobError as e:
        raise SystemExit(f"slow_upstream: {e}") from None


app = create_app(_startup_config())
