"""How long `lab up` waits before restarting a crashed service, and when it gives up."""

import pytest

from lab.up import RESTART_LIMIT, restart_delay


@pytest.mark.parametrize(("exits", "delay"), [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 16.0)])
def test_the_wait_doubles_with_each_recent_crash(exits: int, delay: float) -> None:
    assert restart_delay(exits) == delay


def test_a_service_that_keeps_crashing_is_given_up_on() -> None:
    assert restart_delay(RESTART_LIMIT + 1) is None
