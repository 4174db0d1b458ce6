"""The answer as text: the question, a row per configuration, the verdict and the sources."""

from __future__ import annotations

from collections.abc import Sequence

from lab.advise.model import Answer, Question, verdict


def rate(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:,.0f}" if x >= 100 else f"{x:.3g}"


def render(q: Question, answers: Sequence[Answer]) -> str:
    lines = [
        f"Each request waits D = {q.upstream_ms:g} ms on I/O and computes c = {q.cpu_ms:g} ms; "
        f"target {q.target_rps:g} req/s; {q.workers} workers, {q.cores} cores.",
        "",
        f"{'configuration':<34} {'N':>6} {'N÷(D+c)':>9} {'cores÷(c+o)':>12} "
        f"{'capacity':>9} {'headroom':>9}  limit",
    ]
    for a in answers:
        capacity = a.capacity_rps
        headroom = f"{capacity / q.target_rps:.2f}×" if capacity is not None else "—"
        lines.append(
            f"{a.kind:<34} {a.concurrency:>6} {rate(a.little_rps):>9} {rate(a.cpu_rps):>12} "
            f"{rate(capacity):>9} {headroom:>9}  {a.limit}"
        )
    lines += ["", verdict(q, answers), ""]
    for a in answers:
        why = [a.overhead.cited] if a.overhead else []
        for note in why + a.notes:
            lines.append(f"  {a.kind}: {note}")
    return "\n".join(lines)
