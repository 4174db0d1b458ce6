"""Signals that stop `lab up`: Ctrl-C, SIGTERM and SIGHUP end its run the same way, and none
can cut its cleanup short."""

from __future__ import annotations

import signal
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

# SIGHUP: the terminal went away; its default action would kill `lab up` and orphan every
# service (each runs in its own session), so it stops the lab like SIGTERM.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
# Everything that stops the lab, Ctrl-C (SIGINT, Python's KeyboardInterrupt) included.
INTERRUPTS = (signal.SIGINT, *STOP_SIGNALS)


class Stop(Exception):
    """Raised from the SIGTERM/SIGHUP handler so shutdown runs the same path as Ctrl-C."""


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise Stop


@contextmanager
def stop_on_signals(cleanup: Callable[[bool], None]) -> Iterator[None]:
    """Run the block until it ends or a stop signal arrives, then `cleanup` with every stop
    signal ignored.

    A signal ends the block without an error: it is left as if it had finished, and
    cleanup(True) is told it was interrupted. A block that ends by itself, or raises anything
    else (which then goes on up), gets cleanup(False). The handlers in place before come back
    after the cleanup.
    """
    previous = {sig: signal.signal(sig, _raise_stop) for sig in STOP_SIGNALS}
    interrupted = False
    try:
        yield
    except (KeyboardInterrupt, Stop):
        interrupted = True
    finally:
        # A second Ctrl-C (or SIGTERM) here would break off the cleanup and orphan the
        # services still running: it ignores them, and must be bounded by itself.
        saved = {sig: signal.signal(sig, signal.SIG_IGN) for sig in INTERRUPTS}
        try:
            cleanup(interrupted)
        finally:
            for sig in INTERRUPTS:
                signal.signal(sig, previous.get(sig, saved[sig]))


def _as_ctrl_c(signum: int, frame: FrameType | None) -> None:
    # Whatever Ctrl-C does at this moment: KeyboardInterrupt in plain code, and inside
    # asyncio.run its own handler, which cancels the main task. An exception raised from a
    # handler in the middle of a socket write would be caught by asyncio's transport and
    # logged as a "Fatal write error" traceback instead of stopping the run.
    handler = signal.getsignal(signal.SIGINT)
    if callable(handler):
        handler(signal.SIGINT, frame)
    else:
        raise KeyboardInterrupt


@contextmanager
def stop_raises() -> Iterator[None]:
    """In the block, SIGTERM and SIGHUP act as Ctrl-C does, so the block's own `finally` and
    `with` exits run (`lab exercise` stops its servers that way)."""
    previous = {sig: signal.signal(sig, _as_ctrl_c) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def quiet_leftovers() -> None:
    """After an interrupt, before exiting: a signal can land while an object is half built (an
    event loop being created, a coroutine not yet started). Collected as the process exits,
    it complains ("Exception ignored in ...", "coroutine ... was never awaited") with a
    traceback, after the run has said in one line that it was interrupted. Nothing it says is
    left to act on, so it says nothing."""
    sys.unraisablehook = lambda _: None
    warnings.simplefilter("ignore", RuntimeWarning)
