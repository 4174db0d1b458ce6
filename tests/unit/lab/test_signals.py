"""`lab up`'s signal handling: a stop signal ends the run quietly, the cleanup cannot be cut
short, and the handlers from before come back. `lab exercise`'s: SIGTERM acts as Ctrl-C."""

import asyncio
import os
import signal
import subprocess
import sys

import pytest

from contracts.paths import REPO
from lab.signals import INTERRUPTS, STOP_SIGNALS, stop_on_signals, stop_raises


def handlers() -> dict[signal.Signals, object]:
    return {sig: signal.getsignal(sig) for sig in INTERRUPTS}


@pytest.mark.parametrize("sig", INTERRUPTS, ids=lambda s: s.name)
def test_a_stop_signal_ends_the_block_and_cleanup_is_told(sig: signal.Signals) -> None:
    before = handlers()
    calls: list[bool] = []
    reached_the_end = False
    with stop_on_signals(cleanup=calls.append):
        os.kill(os.getpid(), sig)
        reached_the_end = True
    assert calls == [True]
    assert not reached_the_end
    assert handlers() == before


def test_signals_during_cleanup_are_ignored() -> None:
    done: list[str] = []

    def cleanup(interrupted: bool) -> None:
        for sig in INTERRUPTS:
            os.kill(os.getpid(), sig)
        done.append("all of it")

    with stop_on_signals(cleanup=cleanup):
        pass
    assert done == ["all of it"]


def test_another_error_goes_on_after_the_cleanup() -> None:
    before = handlers()
    calls: list[bool] = []
    with pytest.raises(OSError, match="boom"), stop_on_signals(cleanup=calls.append):
        raise OSError("boom")
    assert calls == [False]
    assert handlers() == before


@pytest.mark.parametrize("sig", STOP_SIGNALS, ids=lambda s: s.name)
def test_under_stop_raises_a_stop_signal_is_ctrl_c(sig: signal.Signals) -> None:
    before = handlers()
    with pytest.raises(KeyboardInterrupt), stop_raises():
        os.kill(os.getpid(), sig)
    assert handlers() == before


@pytest.mark.parametrize("sig", STOP_SIGNALS, ids=lambda s: s.name)
def test_inside_asyncio_a_stop_signal_cancels_the_main_task(sig: signal.Signals) -> None:
    # As asyncio.run treats Ctrl-C: the main task is cancelled (its cleanup runs) rather
    # than an exception raised wherever the loop happens to be, a socket write included.
    seen: list[str] = []

    async def main() -> None:
        asyncio.get_running_loop().call_later(0.05, os.kill, os.getpid(), sig)
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            seen.append("cancelled")
            raise

    with pytest.raises(KeyboardInterrupt), stop_raises():
        asyncio.run(main())
    assert seen == ["cancelled"]


LEFTOVERS = """
import asyncio, sys
from lab.signals import quiet_leftovers

class HalfBuilt:
    def __del__(self):
        raise AttributeError("no _ssock")  # as an event loop cut off in its __init__

async def never_started():
    pass

if len(sys.argv) > 1:
    quiet_leftovers()
kept = (HalfBuilt(), never_started())
"""


@pytest.mark.parametrize("quiet", [False, True])
def test_leftovers_of_an_interrupt_say_nothing_once_quieted(quiet: bool) -> None:
    argv = [sys.executable, "-c", LEFTOVERS, *(["quiet"] if quiet else [])]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30, cwd=REPO)
    assert done.returncode == 0, done.stderr
    if quiet:
        assert done.stderr == ""
    else:  # what the run printed before: a traceback after its one line
        assert "Exception ignored in" in done.stderr
        assert "was never awaited" in done.stderr
