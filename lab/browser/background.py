"""Background load while the browser measures: the open-model generator (as `lab load`) in a
thread of its own, at a fixed arrival rate on the same server, stopped when the samples are
taken. Requests still out then are abandoned, but a server still works through those it had
accepted: the next measurement waits until its `/ping` answers promptly again."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

from loadgen.openmodel import Stage, run_async

LONGEST_S = 3600.0  # the schedule's length; cut short when the samples are in
WARMUP_S = 1.0  # before the first sample: let the queue build up to its steady state
TIMEOUT_S = 35.0
SETTLED_S = 0.5  # a /ping answered within this (or 3x its time before the load): no queue
SETTLE_FOR_S = 60.0  # the longest wait for it


def ping_s(server_url: str) -> float | None:
    asked = time.monotonic()
    try:
        with urllib.request.urlopen(server_url + "/ping", timeout=SETTLE_FOR_S) as r:
            r.read()
    except OSError:
        return None
    return time.monotonic() - asked


def settle(server_url: str, before_s: float) -> float:
    """Wait until the server answers `/ping` about as fast as before the load; returns the
    seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < SETTLE_FOR_S:
        took = ping_s(server_url)
        if took is not None and took < max(SETTLED_S, 3 * before_s):
            break
        time.sleep(0.1)
    return time.monotonic() - started


class BackgroundLoad:
    def __init__(self, url: str, rate: float) -> None:
        self.url, self.rate = url, rate
        self._loop = asyncio.new_event_loop()
        self._task: asyncio.Task[Any] | None = None
        self._thread = threading.Thread(target=self._run, name="background-load", daemon=True)
        self.sent_s = 0.0
        self.settled_s = 0.0
        self.error: str | None = None

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        coroutine = run_async(self.url, [Stage(self.rate, LONGEST_S)], timeout_s=TIMEOUT_S)
        self._task = self._loop.create_task(coroutine)
        with contextlib.suppress(asyncio.CancelledError):
            try:
                self._loop.run_until_complete(self._task)
            except Exception as e:  # a generator that fails: said in the results, not hidden
                self.error = f"{type(e).__name__}: {e}"
        # Its requests still out are tasks of their own: cancel them (closing their
        # connections) before the loop goes, as asyncio.run does.
        left = asyncio.all_tasks(self._loop)
        for task in left:
            task.cancel()
        self._loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
        self._loop.close()

    def start(self) -> None:
        self._started = time.monotonic()
        self._thread.start()
        time.sleep(WARMUP_S)

    def stop(self) -> None:
        task = self._task
        if task is not None:
            self._loop.call_soon_threadsafe(task.cancel)
        self._thread.join(timeout=10)
        self.sent_s = time.monotonic() - self._started


@contextlib.contextmanager
def background(url: str, rate: float | None, server_url: str) -> Iterator[BackgroundLoad | None]:
    if rate is None:
        yield None
        return
    before = min(t for t in (ping_s(server_url) for _ in range(3)) if t is not None)
    load = BackgroundLoad(url, rate)
    load.start()
    try:
        yield load
    finally:
        load.stop()
        load.settled_s = settle(server_url, before)
