"""The thread-per-request baseline: httpbin's `/delay/<s>` on werkzeug's threaded server.

A WSGI wrapper measures each `/delay` call inside the server (time in the app minus the
delay asked) into the same overshoot histogram the slow upstream exports, so both servers
are read the same way. Usage: python -m benchmarks.upstream.threaded_delay_server PORT
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable
from time import perf_counter
from typing import Any

from prometheus_client import make_wsgi_app
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

# The very histogram the slow upstream fills: same name, same buckets, same reading.
from slow_upstream.metrics import OVERSHOOT

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def measured(app: WsgiApp, metrics: WsgiApp) -> WsgiApp:
    def wrapper(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path: str = environ.get("PATH_INFO", "")
        if path == "/metrics":
            return metrics(environ, start_response)
        if not path.startswith("/delay/"):
            return app(environ, start_response)
        start = perf_counter()
        body = list(app(environ, start_response))
        OVERSHOOT.observe(perf_counter() - start - float(path.rsplit("/", 1)[1]))
        return body

    return wrapper


class KeepAliveHandler(WSGIRequestHandler):
    # HTTP/1.1 framing; werkzeug still answers `Connection: close` (its server cannot drain a
    # request body safely), so every request of this thread-per-request server pays a connect.
    protocol_version = "HTTP/1.1"

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class BigBacklogServer(ThreadedWSGIServer):
    # werkzeug's default listen backlog (128) would drop connections at 1,000+ per second
    # and measure the accept queue instead of the threads.
    request_queue_size = 4096


def main() -> None:
    logging.disable(logging.WARNING)  # httpbin warns about optional extras at import
    from httpbin import app as httpbin_app

    port = int(sys.argv[1])
    app = measured(httpbin_app, make_wsgi_app())
    server = BigBacklogServer("127.0.0.1", port, app, handler=KeepAliveHandler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
