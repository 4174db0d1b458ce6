"""The slow clients' request: a GET that starts like any other and never ends."""

import asyncio
import itertools

import pytest

from loadgen.idle import IdleResult, hold, trickled


def test_a_trickled_request_starts_as_a_get_and_never_finishes() -> None:
    sent = b"".join(itertools.islice(trickled("http://127.0.0.1:8001/ping?x=1"), 5000))
    assert sent.startswith(b"GET /ping?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8001\r\nX-Slow-Client: z")
    assert b"\r\n\r\n" not in sent  # the blank line that would end the headers never comes
    assert all(len(b) == 1 for b in itertools.islice(trickled("http://h/"), 100))


def test_an_idle_result_answers_nothing() -> None:
    result = IdleResult("http://h/", 2, 1.0, trickle=False)
    assert result.ok == 0
    assert result.as_dict()["connections"] == 2


@pytest.mark.parametrize(
    ("connections", "seconds", "message"),
    [(0, 1.0, "connections must be at least 1"), (1, 0.0, "duration_s must be positive")],
)
def test_bad_arguments_are_refused(connections: int, seconds: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        asyncio.run(hold("http://127.0.0.1:1/", connections, seconds))
