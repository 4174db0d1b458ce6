"""Container healthcheck with nothing but the standard library (the images have no curl).

    python healthcheck.py http://127.0.0.1:8001/healthz   # healthy when it answers 200
    python healthcheck.py tcp://locust-master:5557        # healthy when it accepts a connection

Exit code 0 means healthy, 1 unhealthy; the reason goes to stdout (`docker inspect` shows it).
"""

from __future__ import annotations

import socket
import sys
import urllib.error
import urllib.request
from urllib.parse import urlsplit

TIMEOUT_S = 3.0


def check(target: str) -> str | None:
    """None when healthy, else why not."""
    parts = urlsplit(target)
    if parts.scheme == "tcp":
        if not parts.hostname or not parts.port:
            return f"{target}: expected tcp://HOST:PORT"
        try:
            socket.create_connection((parts.hostname, parts.port), timeout=TIMEOUT_S).close()
        except OSError as e:
            return f"{target}: {e}"
        return None
    if parts.scheme == "http":
        try:
            with urllib.request.urlopen(target, timeout=TIMEOUT_S) as response:
                status: int = response.status
        except (urllib.error.URLError, OSError) as e:
            return f"{target}: {e}"
        return None if status == 200 else f"{target}: HTTP {status}"
    return f"{target}: expected an http:// or tcp:// URL"


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
