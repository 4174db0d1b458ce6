"""End a connection without an answer: a TCP reset, or a plain close after a hang.

ASGI has no message for this. uvicorn's `send` is a bound method of its per-request cycle,
which holds the transport, so the outermost ASGI app can reach the socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from typing import Any, Protocol

from starlette.types import Receive, Send


class _Transport(Protocol):
    def abort(self) -> None: ...
    def is_closing(self) -> bool: ...
    def close(self) -> None: ...
    def get_extra_info(self, name: str, default: Any = None) -> Any: ...


class NoTransport(RuntimeError):
    """The server did not expose its transport (only uvicorn is supported)."""


def _transport(send: Send) -> _Transport:
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None or not hasattr(transport, "abort"):
        raise NoTransport("closing a connection needs uvicorn's transport")
    return transport  # type: ignore[no-any-return]


def gone(send: Send) -> bool:
    """Whether the caller has closed its connection (False where the server hides it)."""
    try:
        return _transport(send).is_closing()
    except NoTransport:
        return False


async def reset(receive: Receive, send: Send) -> None:
    """Abort with SO_LINGER 0: the kernel sends RST, the client sees 'connection reset'."""
    transport = _transport(send)
    if not transport.is_closing():
        sock = transport.get_extra_info("socket")
        # A client that left first has closed the socket under us (fd -1: ValueError).
        if sock is not None:
            with contextlib.suppress(OSError, ValueError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    await _until_disconnected(receive)


async def close(receive: Receive, send: Send) -> None:
    """Close without an answer (FIN): what a client sees when a server gives up."""
    _transport(send).close()
    await _until_disconnected(receive)


async def _until_disconnected(receive: Receive) -> None:
    # Returning before the server saw the disconnect would make it send a 500 instead.
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(2.0):
            while (await receive())["type"] != "http.disconnect":
                pass
