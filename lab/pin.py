"""LAB_PIN on this machine: the plan for the CPUs this process may use, taken once (before
the process pins itself as the load generator), and the pinning of each service the runner
starts and of the load generator itself."""

from __future__ import annotations

import functools
import os
from typing import Any

from contracts.pinning import Plan, plan, unpinned
from contracts.settings import LabSettings


@functools.cache
def machine() -> tuple[int, ...]:
    """The CPUs this process could use when it started (its affinity, cgroup limits
    included): what the plan divides, even after this process has pinned itself."""
    return tuple(sorted(os.sched_getaffinity(0)))


def machine_plan() -> Plan:
    return plan(machine())


def cpus_for(name: str, settings: LabSettings) -> tuple[int, ...] | None:
    """The CPUs of a service the runner starts, None when it is not pinned."""
    return machine_plan().for_service(name) if settings.lab_pin else None


def pin_generator(settings: LabSettings) -> str | None:
    """Pin this process (the exercise's load generator) when LAB_PIN is on; the plan's line."""
    if not settings.lab_pin:
        return None
    chosen = machine_plan()
    os.sched_setaffinity(0, chosen.cpus["generator"])
    return chosen.describe()


def placement(settings: LabSettings) -> dict[str, Any]:
    """What the results record: the CPUs of each part, or that they all share."""
    return machine_plan().as_dict() if settings.lab_pin else unpinned(machine())
