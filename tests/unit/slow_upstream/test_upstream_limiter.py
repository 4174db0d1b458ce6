"""The concurrency limit: at most N in service, a bounded queue, then refusals."""

import asyncio

import pytest

from slow_upstream.limiter import Limiter, Overloaded


def test_past_the_limit_requests_queue_and_past_the_queue_are_refused() -> None:
    async def scenario() -> tuple[int, int, int]:
        limiter = Limiter(max_concurrency=2, max_queue=3)
        busy = peak = refused = 0

        async def request() -> None:
            nonlocal busy, peak, refused
            try:
                await limiter.acquire()
            except Overloaded:
                refused += 1
                return
            busy += 1
            peak = max(peak, busy)
            await asyncio.sleep(0.01)
            busy -= 1
            limiter.release()

        await asyncio.gather(*(request() for _ in range(10)))
        return peak, refused, limiter.waiting

    assert asyncio.run(scenario()) == (2, 5, 0)


def test_no_limit_never_refuses() -> None:
    async def scenario() -> None:
        limiter = Limiter(0, 0)
        assert not limiter.enabled
        for _ in range(100):
            await limiter.acquire()

    asyncio.run(scenario())


def test_zero_queue_refuses_as_soon_as_full() -> None:
    async def scenario() -> None:
        limiter = Limiter(1, 0)
        await limiter.acquire()
        with pytest.raises(Overloaded):
            await limiter.acquire()

    asyncio.run(scenario())
