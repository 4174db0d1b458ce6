"""Check the apparatus, not the server: was CPU stolen by the hypervisor, was the load
generator itself saturated, did the upstream answer later than asked, did other work on the
machine take the cores? Any of these bends a
measured figure; the report says so beside the rows it touched, so a surprise can be read
for what it is. They never change a verdict: the rules stand on what was measured."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from lab.exercise.measure import histogram_buckets, p99_bound_ms
from lab.machine_cpu import CpuTicks

# Of all CPU time in the window: above this, the hypervisor ran someone else for long enough
# to show in latencies and CPU-per-request figures.
STEAL_LIMIT = 0.10
# Of one core: the generator is one asyncio loop (main load, probe and scrapes), so near a
# whole core it sends late and its timings include its own queueing.
GENERATOR_LIMIT = 0.85
# The upstream's p99 lateness over the delay it was asked for: it is the lab's clock for I/O.
OVERSHOOT_LIMIT_MS = 25.0
# In cores: CPU the machine spent on processes other than the lab's (the measured server's
# workers, the upstream, this process) during the window. On a small machine, half a core of
# someone else's work stretches every CPU-bound figure.
OTHERS_LIMIT = 0.5


def steal_fraction(before: CpuTicks | None, after: CpuTicks | None) -> float | None:
    if before is None or after is None or after.total <= before.total:
        return None
    return (after.steal - before.steal) / (after.total - before.total)


def overshoot_p99_ms(upstream_before: str | None, upstream_after: str | None) -> float | None:
    """The upstream's p99 lateness in the window (a bucket bound), None if it served nothing."""
    if not upstream_before or not upstream_after:
        return None
    name = "upstream_delay_overshoot_seconds_bucket"
    return p99_bound_ms(
        histogram_buckets(upstream_before, name), histogram_buckets(upstream_after, name)
    )


@dataclass(frozen=True)
class Apparatus:
    steal_fraction: float | None
    generator_cores: float | None  # CPU the exercise process used ÷ the window
    upstream_overshoot_p99_ms: float | None
    other_cores: float | None = None  # the machine's busy CPU not spent by the lab ÷ window
    # What the open-model loads (main, probe) said of their own clock: a generator starved of
    # CPU by other work falls behind without using much CPU, so its share alone misses it.
    generator_behind: tuple[str, ...] = ()

    def warnings(self) -> list[str]:
        out = []
        if self.other_cores is not None and self.other_cores > OTHERS_LIMIT:
            out.append(
                f"machine busy with other work: {self.other_cores:.2f} cores used by "
                f"processes outside the lab (> {OTHERS_LIMIT:g}): CPU-bound times are "
                "stretched by the wait for a core"
            )
        if self.steal_fraction is not None and self.steal_fraction > STEAL_LIMIT:
            out.append(
                f"CPU stolen by the hypervisor: {self.steal_fraction:.0%} of the machine's "
                f"time (> {STEAL_LIMIT:.0%}): latencies and CPU figures are inflated"
            )
        if self.generator_cores is not None and self.generator_cores > GENERATOR_LIMIT:
            out.append(
                f"load generator saturated: {self.generator_cores:.2f} of a core "
                f"(> {GENERATOR_LIMIT:g}): it sent late, and its latencies include its queue"
            )
        out += [f"load generator behind its schedule: {w}" for w in self.generator_behind]
        if (
            self.upstream_overshoot_p99_ms is not None
            and self.upstream_overshoot_p99_ms > OVERSHOOT_LIMIT_MS
        ):
            out.append(
                f"upstream late: p99 ≤ {self.upstream_overshoot_p99_ms:g} ms past its delay "
                f"(> {OVERSHOOT_LIMIT_MS:g} ms): the I/O waits were longer than asked"
            )
        return out

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "warnings": self.warnings()}


def other_cores(shares: dict[str, float]) -> float | None:
    """The machine's busy cores less the lab's own (server, upstream, generator), from the
    window's CPU shares; None when the machine's figure is missing."""
    machine = shares.get("machine_cpu")
    if machine is None:
        return None
    own = sum(shares.get(k, 0.0) for k in ("server_cpu", "upstream_cpu", "generator_cpu"))
    return max(0.0, machine - own)
