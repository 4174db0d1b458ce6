"""Which process answered: a pid and its start time name one process on one machine, so the
exercise engine can tell a server it may read in /proc (a local one) from one in a container
that happens to report a pid that exists here too."""

from __future__ import annotations


def process_start(pid: int | str = "self", proc: str = "/proc") -> int | None:
    """When the process started, in clock ticks since boot (field 22 of /proc/PID/stat);
    None when there is no such process (or no /proc)."""
    try:
        with open(f"{proc}/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces: split after it.
    return int(stat[stat.rindex(")") + 2 :].split()[19])
