"""Slow database queries through the sync ORM and the (thread-wrapped) async ORM.

locust -f loadgen/locustfiles/slow_db.py DbAsyncUser --delay-ms 100
"""

from locust import task

from loadgen.lab_user import LabUser


class DbSyncUser(LabUser):
    @task
    def db_sync(self) -> None:
        self.get("/db/sync", delay_ms=self.knob("delay_ms"))


class DbAsyncUser(LabUser):
    @task
    def db_async(self) -> None:
        self.get("/db/async", delay_ms=self.knob("delay_ms"))
