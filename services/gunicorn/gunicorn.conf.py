"""gunicorn hooks shared by the WSGI server and the multi-process ASGI server.

Bind address, worker class, workers and threads come from the command line that
`lab serve` builds, so they are typed in one place (lab/serve.py).
"""

import os
from typing import Any

from contracts.settings import LabSettings


def child_exit(server: Any, worker: Any) -> None:
    # prometheus_client multiprocess mode: drop a dead worker's live gauges.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


# Quiet by default; the lab prints its own summary lines.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "warning")


# Seconds a worker may go silent (on one request, or waiting for one to arrive) before the
# arbiter kills it: GUNICORN_TIMEOUT_S, by default above the longest request the app allows.
timeout = LabSettings.from_env().gunicorn_worker_timeout_s()
graceful_timeout = 5
