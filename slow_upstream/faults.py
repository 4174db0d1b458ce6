"""Pick at most one fault per request from the configured probabilities.

One uniform draw is split into consecutive intervals (error, then hang, then reset), so the
faults are mutually exclusive and each happens at exactly its configured rate.
"""

from __future__ import annotations

from enum import StrEnum


class Fault(StrEnum):
    NONE = "none"
    ERROR = "error"
    HANG = "hang"
    RESET = "reset"


def choose_fault(u: float, error_rate: float, hang_rate: float, reset_rate: float) -> Fault:
    """`u` is uniform in [0, 1); the rates add up to at most 1."""
    if u < error_rate:
        return Fault.ERROR
    if u < error_rate + hang_rate:
        return Fault.HANG
    if u < error_rate + hang_rate + reset_rate:
        return Fault.RESET
    return Fault.NONE
