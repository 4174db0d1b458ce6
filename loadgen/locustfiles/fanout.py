"""Fan-out: n upstream calls per request, one after another (sync) or concurrently (async).

locust -f loadgen/locustfiles/fanout.py FanoutAsyncUser --fanout-n 5 --delay-ms 200
"""

from locust import task

from loadgen.lab_user import LabUser


class FanoutSyncUser(LabUser):
    @task
    def fanout_sync(self) -> None:
        self.get("/fanout/sync", n=self.knob("fanout_n"), delay_ms=self.knob("delay_ms"))


class FanoutAsyncUser(LabUser):
    @task
    def fanout_async(self) -> None:
        self.get("/fanout/async", n=self.knob("fanout_n"), delay_ms=self.knob("delay_ms"))
