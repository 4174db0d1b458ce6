"""Slow clients: N TCP connections held open against a server for a fixed duration, each
sending nothing (a browser's speculative preconnect) or trickling a request it never
finishes (a client on a slow link; slowloris). They ask for no answer: what they cost is
what the server gives them while it waits, measured by someone else's requests beside them.

A connection the server closes (a timeout, a killed worker) is opened again at once, so the
N are held for the whole duration; at the end all are closed.

    from loadgen.idle import hold
    result = await hold("http://127.0.0.1:8001/ping", connections=2, duration_s=4)
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

_now = time.monotonic
# A trickling client sends one byte of its request this often.
TRICKLE_EVERY_S = 0.5
# After a connection fails to open, so a refused one does not spin the loop.
_ERROR_PAUSE_S = 0.1


@dataclass
class IdleResult:
    url: str
    connections: int
    duration_s: float
    trickle: bool
    opened: int = 0  # connections opened, the reopened ones included
    closed_by_server: int = 0  # times the server closed (or answered and closed) one
    bytes_sent: int = 0
    errors: Counter[str] = field(default_factory=Counter)  # connections that failed to open

    @property
    def ok(self) -> int:
        """Requests answered: none, they never send a whole request."""
        return 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "connections": self.connections,
            "duration_s": self.duration_s,
            "trickle": self.trickle,
            "opened": self.opened,
            "closed_by_server": self.closed_by_server,
            "bytes_sent": self.bytes_sent,
            "errors": dict(self.errors),
        }


def trickled(url: str) -> Iterator[bytes]:
    """A GET for `url`, one byte at a time, then a header whose value never ends: the blank
    line that would finish the request is never sent."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    head = f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nX-Slow-Client: ".encode()
    yield from (head[i : i + 1] for i in range(len(head)))
    yield from itertools.repeat(b"z")


async def hold(
    url: str, connections: int, duration_s: float, *, trickle: bool = False
) -> IdleResult:
    """Hold `connections` connections to the server of `url` for `duration_s`, sending
    nothing, or with `trickle` the request for `url` one byte every TRICKLE_EVERY_S."""
    if connections < 1:
        raise ValueError("connections must be at least 1")
    if duration_s <= 0:
        raise ValueError("duration_s must be positive")
    result = IdleResult(url, connections, duration_s, trickle)
    end = _now() + duration_s
    await asyncio.gather(*(_client(url, end, result) for _ in range(connections)))
    return result


async def _client(url: str, end: float, result: IdleResult) -> None:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    while (left := end - _now()) > 0:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), left)
        except TimeoutError:
            return  # the duration ended while connecting
        except OSError as e:
            result.errors[f"connect: {type(e).__name__}"] += 1
            await asyncio.sleep(min(_ERROR_PAUSE_S, max(0.0, end - _now())))
            continue
        result.opened += 1
        try:
            if await _until_closed(reader, writer, url, end, result):
                result.closed_by_server += 1
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


async def _until_closed(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    url: str,
    end: float,
    result: IdleResult,
) -> bool:
    """Keep one connection until the end (False) or until the server closes it (True)."""
    closed = asyncio.ensure_future(_drain_until_eof(reader))
    try:
        for byte in trickled(url) if result.trickle else ():
            if closed.done() or _now() >= end:
                break
            with contextlib.suppress(OSError):
                writer.write(byte)
                result.bytes_sent += 1
            await asyncio.wait({closed}, timeout=min(TRICKLE_EVERY_S, max(0.0, end - _now())))
        if not closed.done():
            await asyncio.wait({closed}, timeout=max(0.0, end - _now()))
        return closed.done()
    finally:
        closed.cancel()
        with contextlib.suppress(asyncio.CancelledError, OSError):
            await closed


async def _drain_until_eof(reader: asyncio.StreamReader) -> None:
    """Read whatever the server sends (an error page before it closes) until it closes."""
    while await reader.read(65536):
        pass
