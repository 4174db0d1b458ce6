"""Which CPUs each part of the lab may run on when LAB_PIN is on: the load generator apart
from the servers it measures, so a "slow server" cannot be a busy generator in disguise.

The parts: the load generator (the exercise process, Locust, and Prometheus, which watches
with it), the slow upstream, and the servers (both Django servers and the proxy in front of
them; an exercise loads one at a time). With C CPUs:

- C ≥ 4: generator on one, upstream on one, servers on the rest;
- C = 3: one each;
- C = 2: generator and upstream on one, servers on the other;
- C = 1: nothing can be apart: every part shares it, and the plan says so.

The runner pins each service's process before it execs (`lab/pin.py`), so every worker it
forks inherits its CPUs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

ROLES: Mapping[str, str] = {
    "wsgi": "servers",
    "asgi": "servers",
    "nginx": "servers",
    "upstream": "upstream",
    "locust": "generator",
    "locust-worker": "generator",
    "prometheus": "generator",
}
NAMES = {"generator": "load generator", "upstream": "upstream", "servers": "servers"}


@dataclass(frozen=True)
class Plan:
    cpus: Mapping[str, tuple[int, ...]]  # role -> its CPUs

    @property
    def apart(self) -> bool:
        """Are the generator and the servers on CPUs of their own?"""
        return not set(self.cpus["generator"]) & set(self.cpus["servers"])

    def for_service(self, name: str) -> tuple[int, ...] | None:
        role = ROLES.get(name)
        return None if role is None else self.cpus[role]

    def describe(self) -> str:
        """One line: which part runs where, and what shares a CPU."""
        by_cpus: dict[tuple[int, ...], list[str]] = {}
        for role, cpus in self.cpus.items():
            by_cpus.setdefault(cpus, []).append(NAMES[role])
        parts = [f"{' + '.join(names)} on CPU {span(cpus)}" for cpus, names in by_cpus.items()]
        shared = "" if self.apart else " (one CPU: the generator shares it with the servers)"
        return "pinned: " + "; ".join(parts) + shared

    def as_dict(self) -> dict[str, object]:
        return {"pinned": True, "apart": self.apart, **{r: list(c) for r, c in self.cpus.items()}}


def plan(available: Sequence[int]) -> Plan:
    cpus = tuple(sorted(available))
    if not cpus:
        raise ValueError("no CPU to pin to")
    if len(cpus) == 1:
        return Plan({"generator": cpus, "upstream": cpus, "servers": cpus})
    if len(cpus) == 2:
        return Plan({"generator": cpus[:1], "upstream": cpus[:1], "servers": cpus[1:]})
    return Plan({"generator": cpus[:1], "upstream": cpus[1:2], "servers": cpus[2:]})


def span(cpus: Sequence[int]) -> str:
    """0, 2-5, or 0,3: how taskset and /proc write a CPU list."""
    if len(cpus) > 1 and list(cpus) == list(range(cpus[0], cpus[-1] + 1)):
        return f"{cpus[0]}-{cpus[-1]}"
    return ",".join(map(str, cpus))


def unpinned(available: Sequence[int]) -> dict[str, object]:
    """What the results say without LAB_PIN: every part shares every CPU."""
    cpus = span(sorted(available))
    note = f"not pinned: load generator, upstream and servers share CPU {cpus}"
    return {"pinned": False, "apart": False, "note": note}
