"""Container healthcheck with nothing but the standard library (the images have no curl).

    python healthcheck.py http://127.0.0.1:8001/healthz   # healthy when it answers 200
    python healthcheck.py tcp://locust-master:5557        # healthy when it accepts a connection

Exit code 0 means healthy, 1 unhealthy; the reason goes to stdout (`docker inspect` shows it).

It runs every few seconds in the containers being measured, so it is kept cheap: a plain
HTTP/1.0 request on a socket (urllib.request would import ssl and email, four times the start-up
CPU of the whole check), and a timeout below compose's `timeout: 3s`, so that the check gives
up and says why before Docker kills it.
"""

from __future__ import annotations

import socket
import sys
from urllib.parse import urlsplit

TIMEOUT_S = 2.0  # < the healthcheck `timeout` in docker-compose.yml


def check(target: str) -> str | None:
    """None when healthy, else why not."""
    parts = urlsplit(target)
    if parts.scheme not in ("http", "tcp"):
        return f"{target}: expected an http:// or tcp:// URL"
    try:
        host, port = parts.hostname, parts.port or (80 if parts.scheme == "http" else None)
    except ValueError as e:  # a port that is not a number
        return f"{target}: {e}"
    if not host or not port:
        return f"{target}: expected {parts.scheme}://HOST:PORT"
    try:
        with socket.create_connection((host, port), timeout=TIMEOUT_S) as conn:
            if parts.scheme == "tcp":
                return None
            path = parts.path or "/"
            if parts.query:
                path += "?" + parts.query
            conn.sendall(f"GET {path} HTTP/1.0\r\nHost: {parts.netloc}\r\n\r\n".encode())
            status_line = conn.makefile("rb").readline(256).decode("latin-1").strip()
    except OSError as e:  # refused, unreachable, timed out
        return f"{target}: {e}"
    fields = status_line.split()
    if len(fields) < 2 or not fields[0].startswith("HTTP/"):
        return f"{target}: not an HTTP answer: {status_line!r}"
    return None if fields[1] == "200" else f"{target}: HTTP {fields[1]}"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: healthcheck.py URL")
        return 2
    problem = check(argv[0])
    if problem:
        print(problem)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
