"""The smallest Locust load: FastHttpUser on the upstream's cheapest answer, no think time.

Not a lab locustfile (those load the Django servers through `LabUser` and its hooks): the
generator-ceiling benchmark needs Locust's own cost per request and nothing else. The
benchmark names the path to request in `PATH_ENV`; it does not import this file, since
Locust's gevent would patch its process.

With `SAMPLES_ENV` naming a file, each response time Locust measured (its request event, in
float milliseconds) is also written there at exit, one a line: Locust's own statistics keep
whole milliseconds, too coarse for a sub-millisecond round trip. Off by default, since the
recording is work the ceiling must not include.
"""

import os
from typing import Any

from locust import FastHttpUser, constant, events, task

PATH_ENV = "GEN_CEILING_PATH"
SAMPLES_ENV = "GEN_CEILING_SAMPLES"
PATH = os.environ.get(PATH_ENV, "/slow?delay_ms=0")

_samples: list[float] = []
_hooks: Any = events  # locust's EventHook is untyped


def _record(response_time: float, **_: Any) -> None:
    _samples.append(response_time)


def _write(**_: Any) -> None:
    with open(os.environ[SAMPLES_ENV], "w") as f:
        f.write("".join(f"{t}\n" for t in _samples))


if os.environ.get(SAMPLES_ENV):
    _hooks.request.add_listener(_record)
    _hooks.quitting.add_listener(_write)


class FastPathUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def fast_path(self) -> None:
        self.client.get(PATH)
