"""A mixed workload on the async views, with a bystander measuring a trivial route.

The bystander sends 10 /ping requests per second. Its latency is the lesson: on ASGI one
CPU-heavy async request delays every other request on that event loop, /ping included.

    locust -f loadgen/locustfiles/mixed_workload.py -u 50
"""

from locust import constant_throughput, task

from loadgen.lab_user import LabUser


class MixedUser(LabUser):
    @task(3)
    def io_async(self) -> None:
        self.get("/io/async", delay_ms=self.knob("delay_ms"))

    @task(1)
    def cpu_async(self) -> None:
        self.get("/cpu/async", cpu_ms=self.knob("cpu_ms"))

    @task(1)
    def db_async(self) -> None:
        self.get("/db/async", delay_ms=self.knob("delay_ms"))

    @task(1)
    def fanout_async(self) -> None:
        self.get("/fanout/async", n=self.knob("fanout_n"), delay_ms=self.knob("delay_ms"))


class PingBystanderUser(LabUser):
    fixed_count = 1  # one bystander, however many MixedUsers run
    wait_time = constant_throughput(10)

    @task
    def ping(self) -> None:
        self.get("/ping")
