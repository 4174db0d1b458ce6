"""gunicorn hooks shared by the WSGI server and the multi-process ASGI server.

Bind address, worker class, workers and threads come from the command line that
`lab serve` builds, so they are typed in one place (lab/serve.py).
"""

import math
import os
from typing import Any

from contracts.params import MAX_REQUEST_MS
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


def worker_timeout(lab: LabSettings) -> int:
    """Seconds a sync worker may spend on one request before the arbiter kills it: above the
    longest request the app allows (MAX_REQUEST_MS of expected work, then one failing
    upstream call: its deadline, overshot by at most one more silent read), with margin."""
    longest = MAX_REQUEST_MS / 1000 + 2 * lab.upstream_timeout_s
    return max(120, math.ceil(longest) + 30)


timeout = worker_timeout(LabSettings.from_env())
graceful_timeout = 5
