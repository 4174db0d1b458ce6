"""gunicorn hooks shared by the WSGI server and the multi-process ASGI server.

Bind address, worker class, workers and threads come from the command line that
`lab serve` builds, so they are typed in one place (lab/serve.py).
"""

import os
from typing import Any


def child_exit(server: Any, worker: Any) -> None:
    # prometheus_client multiprocess mode: drop a dead worker's live gauges.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


# Quiet by default; the lab prints its own summary lines.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "warning")
# A long upstream delay (up to 30 s) must not get a sync worker killed mid-request.
timeout = 120
graceful_timeout = 5
