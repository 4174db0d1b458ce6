"""A concurrency limit with a bounded FIFO queue: plays an upstream with N workers.

Beyond `max_concurrency` requests in service, up to `max_queue` wait their turn; any more
are refused at once (the caller answers 503), as a saturated server's accept queue would.
"""

from __future__ import annotations

import asyncio


class Overloaded(Exception):
    """No free slot and the queue is full."""


class Limiter:
    def __init__(self, max_concurrency: int, max_queue: int) -> None:
        self.max_concurrency = max_concurrency
        self.max_queue = max_queue
        self._slots = asyncio.Semaphore(max_concurrency) if max_concurrency > 0 else None
        self.waiting = 0

    @property
    def enabled(self) -> bool:
        return self._slots is not None

    async def acquire(self) -> None:
        slots = self._slots
        if slots is None:
            return
        if slots.locked():
            if self.waiting >= self.max_queue:
                raise Overloaded
            self.waiting += 1
            try:
                await slots.acquire()
            finally:
                self.waiting -= 1
        else:
            await slots.acquire()

    def release(self) -> None:
        if self._slots is not None:
            self._slots.release()
