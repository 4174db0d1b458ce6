"""One curve of a sweep (a server at one upstream delay, concurrency rising): each point's
Little's-law bound and ratio, where the knee is, and why it is there.

The bound of a point is Little's law with the concurrency the server can hold and the
latency floor: min(C, N) ÷ D, where C is the closed-loop users, N the server's own limit on
requests at a time (workers × threads, or greenlets; none for the event loop) and D the
upstream's delay, which every request waits at least. A point is past the knee when its
ratio to that bound falls under 0.8 × the curve's first point's (the server's own time and
a busy machine keep even one user a little under the bound: that is no knee), or its p99
passes 2 × D with two users or more and a median 1.2 × the first point's (requests queue:
past N the bound stops growing, so only the wait shows it); the knee is the first point
past it that the next measured point agrees with (`lab.exercise.knee`)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from contracts.servers import shape
from contracts.settings import LabSettings
from lab.exercise import knee

CRITERIA = knee.Criteria(below=0.8, p99_over=2.0, confirm=1)


def limit(server: str, settings: LabSettings) -> int | None:
    """The most requests the WSGI server holds at a time (`contracts.servers.shape`: workers
    × threads, or greenlets); the event loop has no such limit (None: its upstream pool,
    UPSTREAM_POOL_SIZE per worker, is far above any concurrency the grid allows)."""
    if server == "wsgi":
        return shape("wsgi", settings).concurrency
    return None


def bound_rps(users: int, server_limit: int | None, delay_ms: float) -> float:
    return min(users, server_limit or users) / (delay_ms / 1000)


def expected_users(users: Sequence[int], server_limit: int | None) -> list[int]:
    """The concurrencies a curve is expected to run, for the time left: all of them on the
    event loop; behind N slots, up to the second one above N (the knee, and the point that
    confirms it), the others being skipped."""
    if server_limit is None:
        return list(users)
    above = [i for i, u in enumerate(users) if u > server_limit]
    return list(users if len(above) < 2 else users[: above[1] + 1])


def flags(points: Sequence[Mapping[str, Any]]) -> list[bool | None]:
    """Past the knee or not, for each point (None: not measured)."""
    return [None if p.get("status") != "measured" else bool(p["past_knee"]) for p in points]


def baseline(points: Sequence[Mapping[str, Any]]) -> float:
    """How close the curve's first measured point came to its bound (at most 1): what the
    server's own time and the machine take off the bound before any load. 1 when there is
    no such point yet, or it got nothing."""
    first = next((p for p in points if p.get("status") == "measured"), None)
    ratio = None if first is None else first.get("ratio")
    return min(1.0, ratio) if ratio else 1.0


def following(point: Mapping[str, Any], base: float) -> float | None:
    """The point's ratio ÷ the curve's first point's: how far it still follows the bound."""
    ratio = point.get("ratio")
    return None if ratio is None else round(ratio / base, 3)


def first_p50(points: Sequence[Mapping[str, Any]]) -> float | None:
    """The median latency of the curve's first measured point: one request's own time."""
    first = next((p for p in points if p.get("status") == "measured"), None)
    return None if first is None else first.get("p50_ms")


# A queue holds the median request too: past N, at 2N users every request waits 2 × D.
MEDIAN_GROWN = 1.2


def past_knee(
    point: Mapping[str, Any], delay_ms: float, base: float = 1.0, p50_first: float | None = None
) -> list[str] | None:
    # One user never waits behind another, and a queue delays the median request as well
    # as the tail: a p99 over 2 × D without either is the machine's noise (a late upstream,
    # a busy CPU: the apparatus says so), not a queue.
    p50 = point.get("p50_ms")
    queued = point.get("users", 0) > 1 and (
        p50_first is None or (p50 is not None and p50 > MEDIAN_GROWN * p50_first)
    )
    p99 = point.get("p99_ms") if queued else None
    of = "its bound" if base == 1.0 else "the first point's share of its bound"
    return knee.reasons(following(point, base), p99, delay_ms, CRITERIA, of=of)


def knee_of(
    server: str,
    settings: LabSettings,
    delay_ms: float,
    points: Sequence[Mapping[str, Any]],
    cpu_count: int | None = None,
) -> dict[str, Any] | None:
    """The curve's knee, named and explained; None when no point is past it."""
    found = knee.first_past(flags(points), CRITERIA.confirm)
    if found is None:
        return None
    point = points[found]
    following = [p["users"] for p in points[:found] if p.get("status") == "measured"]
    measured = [p for p in points if p.get("status") == "measured"]
    best = max(p["throughput_rps"] for p in measured)
    cause, why = explain(server, settings, point, cpu_count or os.cpu_count() or 1)
    return {
        "users": point["users"],
        "last_following_users": following[-1] if following else None,
        "confirmed": knee.confirmed(flags(points), CRITERIA.confirm),
        "reasons": point["past_knee"],
        "cause": cause,
        "explanation": why,
        "limit": limit(server, settings),
        # Little's law backwards: the requests the server held at a time at its best.
        "served_concurrency": round(best * delay_ms / 1000, 2),
    }


def explain(
    server: str, settings: LabSettings, point: Mapping[str, Any], cores: int
) -> tuple[str, str]:
    """What ran out at the knee: the workers' slots, or who spent the CPU."""
    n = limit(server, settings)
    if n is not None and point["users"] > n:
        run = shape("wsgi", settings)
        each = "greenlets" if run.worker_class == "gevent" else "threads"
        return (
            "worker/thread limit",
            f"{run.implementation} holds at most N = workers × {each} = {run.workers} × "
            f"{run.threads} = {n} requests at a time: past N users queue, "
            "throughput stays at N÷D and p99 grows with C÷N",
        )
    cpu = point.get("cpu") or {}
    text = knee.limit(cpu, cores)
    if cpu.get("generator_cpu", 0.0) >= knee.SATURATED:
        return "load generator", text
    busy = cpu.get("machine_cpu", 0.0) >= knee.SATURATED * cores
    if busy or cpu.get("server_cpu", 0.0) >= knee.SATURATED:
        return "CPU", text
    return "other", text
