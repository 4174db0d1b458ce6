"""The upstream's OpenAPI document beyond what FastAPI derives: `/slow` (a plain ASGI handler
FastAPI never sees), the knobs' bounds, and the body of every answer, so a client or a fuzzer
can check each one against it.

Set on the generated document rather than declared on the routes: FastAPI passes declared
schemas through its own model, which turns integer bounds into floats (2**63 - 1 became
2**63, a seed the upstream refuses)."""

from __future__ import annotations

from typing import Any

from slow_upstream.knobs import DISTRIBUTIONS, KNOBS, REQUEST_KNOBS, Knob

JsonSchema = dict[str, Any]


def knob_schema(knob: Knob) -> JsonSchema:
    if knob.kind == "choice":
        return {"type": "string", "enum": list(DISTRIBUTIONS)}
    if knob.kind == "float":
        return {"type": "number", "minimum": knob.lo, "maximum": knob.hi}
    schema: JsonSchema = {"type": "integer", "minimum": int(knob.lo), "maximum": int(knob.hi)}
    if knob.kind == "seed":
        schema = {"anyOf": [schema, {"type": "null"}]}
    return schema


def _json(schema: JsonSchema, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _object(properties: dict[str, JsonSchema], required: list[str] | None = None) -> JsonSchema:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
    }


# The same shape as FastAPI's own 422: where the bad value came from, what is wrong with it.
KNOB_ERROR = _object(
    {
        "detail": {
            "type": "array",
            "minItems": 1,
            "items": _object(
                {
                    "loc": {"type": "array", "items": {"type": "string"}},
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                    "input": {},
                }
            ),
        }
    }
)
MESSAGE = _object({"detail": {"type": "string"}})
# What the upstream sends when it fails on purpose (`injected`) or is full (`overloaded`).
FAULT = _object({"error": {"enum": ["injected", "overloaded"]}, "status": {"type": "integer"}})
PARAMS = _object({k.name: knob_schema(k) for k in KNOBS})


def _params_answer(description: str) -> dict[str, Any]:
    return _json(PARAMS, description)


def config_body() -> dict[str, Any]:
    props = {k.name: {**knob_schema(k), "description": k.help} for k in KNOBS}
    schema = {"type": "object", "properties": props, "additionalProperties": False}
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def slow_operation() -> dict[str, Any]:
    params = []
    for k in REQUEST_KNOBS:
        text = f"{k.help}. Bounds: {k.bounds_text()}. Example: `{k.example}`."
        schema = knob_schema(k)
        params.append({"name": k.name, "in": "query", "description": text, "schema": schema})
        params.append(
            {"name": k.header, "in": "header", "description": f"same as `{k.name}`",
             "schema": schema}
        )  # fmt: skip
    answer = _object(
        {
            "ok": {"const": True},
            "delay_ms": {"type": "number", "minimum": 0},
            "slept_ms": {"type": "number", "minimum": 0},
            "pad": {"type": "string"},
        },
        required=["ok", "delay_ms", "slept_ms"],
    )
    ok = _json(answer, "the answer after the delay; padded to size_bytes with `pad`")
    ok["content"]["application/octet-stream"] = {"schema": {"type": "string"}}
    ok["description"] += "; with drip_bytes, that many bytes over drip_ms instead"
    allow = {"Allow": {"required": True, "schema": {"type": "string"}}}
    return {
        "get": {
            "summary": "Wait, then answer (or fail as configured)",
            "parameters": params,
            "responses": {
                "200": ok,
                "405": {**_json(MESSAGE, "a method other than GET or HEAD"), "headers": allow},
                "422": _json(KNOB_ERROR, "a knob is unknown, malformed or out of bounds"),
                "503": _json(FAULT, "max_concurrency reached and the queue is full, or injected"),
                "4XX": _json(FAULT, "injected error (error_rate, error_status)"),
                "5XX": _json(FAULT, "injected error (error_rate, error_status)"),
            },
        }
    }


def document(schema: dict[str, Any], body_max_bytes: int) -> dict[str, Any]:
    """FastAPI's generated document with `/slow` added and every answer's body described."""
    paths = schema["paths"]
    paths["/slow"] = slow_operation()
    config = paths["/config"]
    config["get"]["responses"]["200"] = _params_answer("the defaults now")
    config["delete"]["responses"]["200"] = _params_answer("the start-up defaults, now current")
    put = config["put"]
    put["requestBody"] = config_body()
    put["responses"] = {
        "200": _params_answer("the defaults after the change"),
        "413": _json(MESSAGE, f"the body is larger than {body_max_bytes} bytes"),
        "422": _json(KNOB_ERROR, "a knob is unknown, malformed or out of bounds"),
    }
    paths["/metrics"]["get"]["responses"]["200"] = {
        "description": "Prometheus text format",
        "content": {"text/plain": {"schema": {"type": "string"}}},
    }
    return schema
