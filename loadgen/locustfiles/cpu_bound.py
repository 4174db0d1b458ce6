"""CPU-heavy views: a sync view blocks only its thread, an async one blocks the event loop.

locust -f loadgen/locustfiles/cpu_bound.py CpuAsyncUser --cpu-ms 50
"""

from locust import task

from loadgen.lab_user import LabUser


class CpuSyncUser(LabUser):
    @task
    def cpu_sync(self) -> None:
        self.get("/cpu/sync", cpu_ms=self.knob("cpu_ms"))


class CpuAsyncUser(LabUser):
    @task
    def cpu_async(self) -> None:
        self.get("/cpu/async", cpu_ms=self.knob("cpu_ms"))


class CpuAsyncOffloadUser(LabUser):
    """Async view that moves the CPU work to a thread (still bound by the GIL)."""

    @task
    def cpu_async_offload(self) -> None:
        self.get("/cpu/async-offload", cpu_ms=self.knob("cpu_ms"))
