"""`GET /slow`: the hot path, as a plain ASGI handler.

FastAPI's per-request validation and dependency machinery would cost more CPU than the
wait itself at thousands of requests per second, so this route parses its few knobs by hand
(same table, same errors) and the FastAPI app only documents it.
"""

from __future__ import annotations

import asyncio
import json
import random
from time import perf_counter
from urllib.parse import parse_qsl

from starlette.types import Receive, Scope, Send

from slow_upstream import connection
from slow_upstream.config import Params, RuntimeConfig, merge
from slow_upstream.faults import Fault, choose_fault
from slow_upstream.knobs import BY_HEADER, BY_NAME, REQUEST_KNOBS, KnobError, Value, parse_text
from slow_upstream.latency import sample_delay_ms
from slow_upstream.limiter import Overloaded
from slow_upstream.metrics import (
    ABANDONED,
    DELAY_ACTUAL,
    DELAY_CONFIGURED,
    FAULT,
    IN_FLIGHT,
    OUTCOME,
    OVERSHOOT,
)

_JSON = [(b"content-type", b"application/json")]
_KNOWN = ", ".join(k.name for k in REQUEST_KNOBS)
# Dripping sends at most this many chunks, however many bytes.
DRIP_MAX_CHUNKS = 100


def parse_request(scope: Scope) -> tuple[dict[str, Value], dict[str, tuple[str, str]]]:
    """Knobs this request overrides: query parameters first, then `X-*` headers."""
    given: dict[str, Value] = {}
    locs: dict[str, tuple[str, str]] = {}
    qs: bytes = scope["query_string"]
    if qs:
        for name, raw in parse_qsl(qs.decode("latin-1"), keep_blank_values=True):
            loc = ("query", name)
            knob = BY_NAME.get(name)
            if knob is None:
                raise KnobError(loc, f"unknown query parameter; known: {_KNOWN}", raw)
            if knob.scope != "request":
                raise KnobError(loc, f"server-wide: set it with PUT /config or {knob.env}", raw)
            if name in given:
                raise KnobError(loc, "given more than once", raw)
            given[name] = parse_text(knob, raw, loc)
            locs[name] = loc
    for hname, hraw in scope["headers"]:
        if hname[:2] != b"x-":
            continue
        knob = BY_HEADER.get(hname)
        if knob is None or knob.name in given:  # the query wins over a header
            continue
        loc = ("header", knob.header)
        given[knob.name] = parse_text(knob, hraw.decode("latin-1"), loc)
        locs[knob.name] = loc
    return given, locs


async def sleep_until(deadline: float) -> None:
    # uvloop rounds timers to whole milliseconds and can wake a fraction of one early:
    # the remainder is waited in steps of at least 1 ms (never a busy loop), so no wait is
    # ever shorter than asked.
    step = deadline - perf_counter()
    while step > 0.0:
        await asyncio.sleep(step)
        step = deadline - perf_counter()
        if step > 0.0:
            step = max(step, 0.001)


async def handle_slow(scope: Scope, receive: Receive, send: Send, config: RuntimeConfig) -> None:
    if scope["method"] not in ("GET", "HEAD"):
        await _send_json(send, 405, b'{"detail":"use GET"}', [(b"allow", b"GET, HEAD")])
        return
    try:
        given, locs = parse_request(scope)
        params = merge(config.current, given, locs)
    except KnobError as e:
        OUTCOME["invalid"].inc()
        await _send_json(send, 422, json.dumps({"detail": [e.as_detail()]}).encode())
        return
    # A seed in the request makes this request's draws repeatable on their own.
    rng = random.Random(params.seed) if "seed" in given else config.rng
    limiter = config.limiter
    IN_FLIGHT.inc()
    try:
        try:
            await limiter.acquire()
        except Overloaded:
            OUTCOME["overloaded"].inc()
            FAULT["overloaded"].inc()
            await _send_json(send, 503, b'{"error":"overloaded","status":503}')
            return
        try:
            outcome = await _serve(params, rng, receive, send)
        finally:
            limiter.release()
        OUTCOME[outcome].inc()
    finally:
        IN_FLIGHT.dec()


async def _serve(params: Params, rng: random.Random, receive: Receive, send: Send) -> str:
    fault = Fault.NONE
    if params.any_fault:
        fault = choose_fault(rng.random(), params.error_rate, params.hang_rate, params.reset_rate)
    if fault is Fault.HANG:
        FAULT["hang"].inc()
        await sleep_until(perf_counter() + params.hang_ms / 1000.0)
        await connection.close(receive, send)
        return "hang"

    delay_ms = sample_delay_ms(
        params.distribution, params.delay_ms, params.jitter_ms, rng, params.max_delay_ms
    )
    delay = delay_ms / 1000.0
    start = perf_counter()
    if delay > 0.0:
        await sleep_until(start + delay)
    slept = perf_counter() - start
    DELAY_CONFIGURED.observe(delay)
    DELAY_ACTUAL.observe(slept)
    OVERSHOOT.observe(slept - delay)
    if connection.gone(send):
        ABANDONED.inc()  # what follows is sent to no one (the server drops it)

    if fault is Fault.ERROR:
        FAULT["error"].inc()
        status = params.error_status
        await _send_json(send, status, b'{"error":"injected","status":%d}' % status)
        return "error"
    if fault is Fault.RESET:
        FAULT["reset"].inc()
        await connection.reset(receive, send)
        return "reset"
    if params.drip_bytes > 0:
        await _drip(send, params.drip_bytes, params.drip_ms / 1000.0)
        return "ok"
    body = b'{"ok":true,"delay_ms":%.3f,"slept_ms":%.3f}' % (delay_ms, slept * 1000.0)
    await _send_json(send, 200, _pad(body, params.size_bytes))
    return "ok"


def _pad(body: bytes, size: int) -> bytes:
    """The JSON answer grown to exactly `size` bytes with a "pad" field (when it fits)."""
    filler = size - len(body) - len(b',"pad":""')
    if filler < 0:
        return body
    return body[:-1] + b',"pad":"' + b"x" * filler + b'"}'


async def _drip(send: Send, nbytes: int, duration: float) -> None:
    chunks = min(nbytes, DRIP_MAX_CHUNKS)
    size, extra = divmod(nbytes, chunks)
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/octet-stream"),
                (b"content-length", str(nbytes).encode()),
            ],
        }
    )
    start = perf_counter()
    for i in range(chunks):
        # Chunks leave on a fixed schedule: the last byte goes `duration` after the headers.
        await sleep_until(start + duration * (i + 1) / chunks)
        n = size + (1 if i < extra else 0)
        await send({"type": "http.response.body", "body": b"*" * n, "more_body": i < chunks - 1})


async def _send_json(
    send: Send, status: int, body: bytes, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*_JSON, (b"content-length", str(len(body)).encode()), *(extra or [])],
        }
    )
    await send({"type": "http.response.body", "body": body})
