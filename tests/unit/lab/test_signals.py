"""`lab up`'s signal handling: a stop signal ends the run quietly, the cleanup cannot be cut
short, and the handlers from before come back."""

import os
import signal

import pytest

from lab.signals import INTERRUPTS, stop_on_signals


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
