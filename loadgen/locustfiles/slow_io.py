"""Slow I/O: a view that waits on the slow upstream, in each flavour the app offers.

locust -f loadgen/locustfiles/slow_io.py IoAsyncUser --target asgi --delay-ms 200
"""

from locust import task

from loadgen.lab_user import LabUser

# One path, two behaviours: named apart so they get separate rows in Locust and Grafana.
SERIAL = "/io/sync-to-async?thread_sensitive=1"
PARALLEL = "/io/sync-to-async?thread_sensitive=0"


class IoSyncUser(LabUser):
    """Sync view, blocking HTTP call: holds a worker thread for the whole wait."""

    @task
    def io_sync(self) -> None:
        self.get("/io/sync", delay_ms=self.knob("delay_ms"))


class IoAsyncUser(LabUser):
    """Async view, awaited HTTP call: the event loop serves others meanwhile."""

    @task
    def io_async(self) -> None:
        self.get("/io/async", delay_ms=self.knob("delay_ms"))


class IoAsyncBlockingUser(LabUser):
    """Async view making a blocking call: stalls the whole event loop."""

    @task
    def io_async_blocking(self) -> None:
        self.get("/io/async-blocking", delay_ms=self.knob("delay_ms"))


class IoSyncToAsyncSerialUser(LabUser):
    """sync_to_async(thread_sensitive=True): every call queues for one shared thread."""

    @task
    def io_sync_to_async(self) -> None:
        self.get(
            "/io/sync-to-async",
            name=SERIAL,
            thread_sensitive=1,
            delay_ms=self.knob("delay_ms"),
        )


class IoSyncToAsyncParallelUser(LabUser):
    """sync_to_async(thread_sensitive=False): calls run in parallel threads."""

    @task
    def io_sync_to_async(self) -> None:
        self.get(
            "/io/sync-to-async",
            name=PARALLEL,
            thread_sensitive=0,
            delay_ms=self.knob("delay_ms"),
        )
