"""The argv of the lab's Locust processes (`lab serve locust`, `lab serve locust-worker`).

One process when LOCUST_WORKERS is 0; otherwise a master (web UI, /metrics, aggregated
stats) and LOCUST_WORKERS workers that generate the load. A worker finds its master at
LOCUST_MASTER_NODE_HOST (Locust's own variable: `locust-master` in compose, the lab's machine
for a worker elsewhere), else on the lab's own listening address (LAB_HOST).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from contracts.settings import LabSettings

LOADGEN = Path(__file__).resolve().parent
CONF = LOADGEN / "locust.conf"
LOCUSTFILES = f"{LOADGEN / 'locustfiles'},{LOADGEN / 'shapes'}"


def locust_argv(role: str, s: LabSettings, env: Mapping[str, str] | None = None) -> list[str]:
    # Absolute paths: the service may start from any working directory.
    base = [sys.executable, "-m", "locust", "--config", str(CONF), "--locustfile", LOCUSTFILES]
    if role == "locust-worker":
        argv = [*base, "--worker", "--master-port", str(s.locust_master_port)]
        if not (os.environ if env is None else env).get("LOCUST_MASTER_NODE_HOST"):
            # The lab's own master, bound to LAB_HOST (Locust alone would try 127.0.0.1).
            argv += ["--master-host", s.client_host]
        return argv
    if role != "locust":
        raise KeyError(role)
    argv = [*base, "--web-host", s.lab_host, "--web-port", str(s.locust_web_port)]
    if s.locust_workers > 0:
        argv += [
            "--master",
            "--master-bind-host",
            s.lab_host,
            "--master-bind-port",
            str(s.locust_master_port),
        ]
    return argv
