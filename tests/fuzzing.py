"""The one set of hypothesis settings for the lab's fuzz tests: bounded, reproducible runs
(the same examples every time, nothing stored between runs), each answer within DEADLINE."""

from datetime import timedelta

from hypothesis import HealthCheck, settings

DEADLINE = timedelta(seconds=10)
FUZZ = settings(
    max_examples=200,
    deadline=DEADLINE,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
