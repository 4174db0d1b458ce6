"""Server-sent events: long-lived responses that hold a connection, not a thread (ASGI).

The response time is the whole stream; a response with fewer events than asked fails.

    locust -f loadgen/locustfiles/sse_stream.py --stream-events 10 --stream-interval-ms 100
"""

from urllib.parse import urlencode

from locust import task

from loadgen.lab_user import LabUser


class StreamAsyncUser(LabUser):
    @task
    def stream_async(self) -> None:
        events = self.knob("stream_events")
        assert isinstance(events, int)  # a required knob: never None
        query = urlencode({"events": events, "interval_ms": self.knob("stream_interval_ms")})
        with self.client.get(
            f"/stream/async?{query}", name="/stream/async", catch_response=True
        ) as response:
            received = sum(
                1 for line in (response.text or "").splitlines() if line.startswith("data:")
            )
            if received < events:
                response.failure(f"{received} of {events} events")
