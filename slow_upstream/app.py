"""The slow upstream: a FastAPI "external API" with configurable latency and faults.

`app` sends `/slow` straight to its lean ASGI handler and everything else (config, health,
metrics, docs) to FastAPI.
"""

from __future__ import annotations

import json
import math
from html import escape
from typing import Any

from fastapi import Request, Response
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi_offline import FastAPIOffline
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import ASGIApp, Receive, Scope, Send

from contracts.hosts import LOOPBACK, accepted_hosts, is_accepted
from contracts.settings import LabSettings, SettingsError
from slow_upstream.config import RuntimeConfig, from_env
from slow_upstream.knobs import KNOBS, KnobError, excerpt
from slow_upstream.metrics import QUEUED
from slow_upstream.openapi import document
from slow_upstream.slow import handle_slow

DESCRIPTION = (
    "A slow, sometimes broken external API for load experiments. `GET /slow` waits without "
    "blocking and answers a small JSON body. Knobs come from `SLOW_*` environment variables "
    "at start, from `PUT /config` at runtime, and per request from query parameters or "
    "`X-*` headers (the query wins)."
)


# A /config body names a handful of knobs: a few hundred bytes. Anything far larger is refused
# before it is read whole (413), so a huge body cannot balloon the upstream's memory.
CONFIG_BODY_MAX_BYTES = 8 * 1024


async def _bounded_body(request: Request) -> bytes | None:
    """The request body, or None once it passes CONFIG_BODY_MAX_BYTES (said or sent)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > CONFIG_BODY_MAX_BYTES:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > CONFIG_BODY_MAX_BYTES:
            return None
    return bytes(body)


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number a knob can take")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{excerpt(text)} is too large")
    return value


def parse_config_body(raw: bytes) -> object:
    """The JSON of a /config body: strict JSON numbers only (no NaN, Infinity, or a float that
    overflows to infinity), UTF-8 only, nesting only as deep as the parser can go."""
    if not raw.strip():
        return None
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant, parse_float=_finite)
    except UnicodeDecodeError:
        raise KnobError(("body", "config"), "the body is not UTF-8") from None
    except RecursionError:
        raise KnobError(("body", "config"), "the JSON is nested too deeply") from None
    except ValueError as e:
        raise KnobError(("body", "config"), f"invalid JSON: {excerpt(str(e))}") from None


def create_app(config: RuntimeConfig, hosts: tuple[str, ...] = LOOPBACK) -> ASGIApp:
    """The upstream's ASGI app: `/slow` to its lean handler, everything else to FastAPI.

    Long on purpose: each route is a few lines closing over `config`, clearest side by side.
    """
    # FastAPIOffline serves Swagger UI and ReDoc from the package, not a CDN: /docs works on a
    # machine with no internet, as the lab must.
    api = FastAPIOffline(title="slow upstream", version="1.0", description=DESCRIPTION)
    QUEUED.set_function(lambda: float(config.limiter.waiting))

    @api.exception_handler(KnobError)
    async def knob_error(request: Request, exc: KnobError) -> JSONResponse:
        return JSONResponse({"detail": [exc.as_detail()]}, status_code=422)

    @api.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index() -> str:
        """A page for a person: every knob, and where to go next."""
        return _index_page(config)

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

    @api.put("/config")
    async def put_config(request: Request) -> Any:
        """Change some knobs (the others keep their values); applies to the next request."""
        raw = await _bounded_body(request)
        if raw is None:
            return JSONResponse(
                {"detail": f"a /config body is at most {CONFIG_BODY_MAX_BYTES} bytes"},
                status_code=413,
            )
        return config.update(parse_config_body(raw)).as_dict()

    @api.delete("/config")
    async def reset_config() -> dict[str, Any]:
        """Back to the start-up defaults (the `SLOW_*` environment)."""
        return config.reset().as_dict()

    def openapi() -> dict[str, Any]:
        if api.openapi_schema is None:
            schema = get_openapi(
                title=api.title, version=api.version, description=api.description, routes=api.routes
            )
            api.openapi_schema = document(schema, CONFIG_BODY_MAX_BYTES)
        return api.openapi_schema

    api.openapi = openapi  # type: ignore[method-assign]

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            if not _host_accepted(scope, hosts):
                await _refuse_host(send)
                return
            if scope["path"] == "/slow":
                await handle_slow(scope, receive, send, config)
                return
        await api(scope, receive, send)

    return dispatch


def _host_accepted(scope: Scope, hosts: tuple[str, ...]) -> bool:
    for name, value in scope["headers"]:
        if name == b"host":
            return is_accepted(value.decode("latin-1"), hosts)
    return False  # HTTP/1.1 requires a Host; the lab's clients always send one


async def _refuse_host(send: Send) -> None:
    body = b'{"detail":"unknown host: add it to LAB_ALLOWED_HOSTS"}'
    await send(
        {
            "type": "http.response.start",
            "status": 400,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _index_page(config: RuntimeConfig) -> str:
    current = config.current.as_dict()
    rows = "\n".join(
        f"<tr><td>{escape(k.name)}</td><td>{escape(str(current.get(k.name)))}</td>"
        f"<td>{escape(k.bounds_text())}</td><td>{escape(k.env)}</td>"
        f"<td>{'' if k.scope != 'request' else escape(f'?{k.example} · {k.header}')}</td>"
        f"<td>{escape(k.help)}</td></tr>"
        for k in KNOBS
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>asynclab: slow upstream</title></head><body>"
        "<h1>The slow upstream</h1>"
        f"<p>{escape(DESCRIPTION)}</p>"
        "<ul><li><a href='/slow?delay_ms=200'>/slow?delay_ms=200</a>: one slow answer</li>"
        "<li><a href='/config'>/config</a>: the defaults now (change them with PUT /config)</li>"
        "<li><a href='/docs'>/docs</a>: the API, interactive</li>"
        "<li><a href='/metrics'>/metrics</a>: Prometheus text</li></ul>"
        "<table><tr><th>knob</th><th>now</th><th>bounds</th><th>environment</th>"
        f"<th>per request</th><th>meaning</th></tr>{rows}</table></body></html>"
    )


def _startup_config() -> RuntimeConfig:
    try:
        return RuntimeConfig(from_env())
    except KnobError as e:
        raise SystemExit(f"slow_upstream: {e}") from None


def _startup_hosts() -> tuple[str, ...]:
    try:
        return accepted_hosts(LabSettings.from_env())
    except SettingsError as e:
        raise SystemExit(f"slow_upstream: {e}") from None


app = create_app(_startup_config(), _startup_hosts())
