"""The machine's CPU time so far, from /proc/stat's first line: the exercises, the sweep and
the browser runs read it at both ends of a window to say how busy the cores were, with whose
work (theirs or anyone's), and what the hypervisor took (steal)."""

from __future__ import annotations

import os
from dataclasses import dataclass

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class CpuTicks:
    """Clock ticks summed over every CPU."""

    busy: float  # running anything: user, nice, system, irq, softirq (guest is inside user)
    total: float  # every state, idle, iowait and steal included
    steal: float  # the hypervisor ran someone else while this machine had work

    @property
    def busy_s(self) -> float:
        return self.busy / CLOCK_TICKS


def cpu_ticks(stat: str | None = None, proc: str = "/proc") -> CpuTicks | None:
    """Parse `stat` (a /proc/stat first line), or read `proc`/stat; None where there is none."""
    if stat is None:
        try:
            with open(f"{proc}/stat") as f:
                stat = f.readline()
        except OSError:
            return None
    fields = stat.split()
    if len(fields) < 5 or fields[0] != "cpu":
        return None
    try:
        # user nice system idle iowait irq softirq steal
        ticks = [float(x) for x in fields[1:9]]
    except ValueError:
        return None
    idle = ticks[3] + ticks[4]
    steal = ticks[7] if len(ticks) > 7 else 0.0
    return CpuTicks(busy=sum(ticks) - idle - steal, total=sum(ticks), steal=steal)
