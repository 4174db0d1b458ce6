"""A sweep's curve on synthetic points: the bound min(C, N)÷D, the knee named where the
next point agrees, and explained by what ran out (the workers' slots, or the CPU)."""

import math
from typing import Any

import pytest

from contracts.settings import LabSettings
from lab.sweep.curve import (
    baseline,
    bound_rps,
    expected_users,
    following,
    knee_of,
    limit,
    past_knee,
)

D_MS = 100
SYNC = LabSettings(web_workers=2, web_threads=1)
GTHREAD = LabSettings(web_workers=2, web_threads=4, wsgi_worker_class="gthread")


def point(users: int, throughput: float, p99_ms: float, n: int | None, **cpu: float) -> Any:
    bound = bound_rps(users, n, D_MS)
    p: dict[str, Any] = {
        "users": users,
        "status": "measured",
        "throughput_rps": throughput,
        "bound_rps": bound,
        "ratio": throughput / bound,
        "p99_ms": p99_ms,
        "cpu": cpu,
    }
    p["past_knee"] = past_knee(p, D_MS)
    return p


def workers(users: tuple[int, ...], n: int) -> list[Any]:
    """N slots: min(C, N)÷D, a user waits ⌈C÷N⌉ rounds (a little over, as measured)."""
    return [point(c, 0.95 * min(c, n) * 10, math.ceil(c / n) * D_MS * 1.05, n) for c in users]


def test_the_limit_is_workers_times_threads_and_the_loop_has_none() -> None:
    assert limit("wsgi", SYNC) == 2
    assert limit("wsgi", GTHREAD) == 8
    # gunicorn makes a sync worker with threads a gthread one; gevent holds its greenlets.
    assert limit("wsgi", LabSettings(web_workers=2, web_threads=3)) == 6
    gevent = LabSettings(web_workers=2, wsgi_worker_class="gevent", gevent_greenlets=50)
    assert limit("wsgi", gevent) == 100
    assert limit("asgi", SYNC) is None
    assert bound_rps(10, 2, 200) == 10.0  # min(10, 2) ÷ 0.2 s
    assert bound_rps(10, None, 200) == 50.0


@pytest.mark.parametrize(("settings", "knee_users"), [(SYNC, 4), (GTHREAD, 16)])
def test_a_sync_servers_knee_is_its_worker_thread_limit(
    settings: LabSettings, knee_users: int
) -> None:
    n = limit("wsgi", settings)
    assert n is not None
    knee = knee_of("wsgi", settings, D_MS, workers((1, 2, 4, 8, 16, 32), n))
    assert knee is not None
    assert knee["users"] == knee_users
    assert knee["last_following_users"] == knee_users // 2
    assert knee["cause"] == "worker/thread limit"
    assert knee["confirmed"]
    assert f"= {n} requests at a time" in knee["explanation"]
    # Little's law backwards: the best throughput × D is the N requests the workers held.
    assert knee["served_concurrency"] == pytest.approx(0.95 * n)


def test_an_event_loops_knee_is_its_cpu() -> None:
    cpu = {"server_cpu": 1.0, "generator_cpu": 0.2, "machine_cpu": 1.5}
    points = [
        point(c, min(c * 10 * 0.95, 300.0), max(D_MS * 1.05, c / 300 * 1000), None, **cpu)
        for c in (1, 4, 16, 64, 256)
    ]
    knee = knee_of("asgi", SYNC, D_MS, points, cpu_count=2)
    assert knee is not None
    assert knee["users"] == 64  # 640 req/s asked of 300: the ratio falls under 0.8
    assert knee["cause"] == "CPU"
    assert knee["explanation"] == "the server's worker used a whole core: its CPU is what ran out"
    assert knee["limit"] is None


def test_the_generator_and_an_unexplained_knee_are_said_so() -> None:
    def curve(**cpu: float) -> list[Any]:
        return [point(c, min(c * 10.0, 100.0), D_MS, None, **cpu) for c in (1, 16, 64)]

    knee = knee_of("asgi", SYNC, D_MS, curve(generator_cpu=0.95), cpu_count=2)
    assert knee is not None
    assert knee["cause"] == "load generator"
    knee = knee_of("asgi", SYNC, D_MS, curve(server_cpu=0.2, machine_cpu=0.5), cpu_count=2)
    assert knee is not None
    assert knee["cause"] == "other"
    assert knee["users"] == 16


def test_no_knee_when_every_point_follows_and_skipped_points_do_not_count() -> None:
    points = workers((1, 2), 2)
    assert knee_of("wsgi", SYNC, D_MS, points) is None
    points.append({"users": 64, "status": "skipped", "why": "past the knee"})
    assert knee_of("wsgi", SYNC, D_MS, points) is None


def test_one_users_slow_tail_is_noise_not_a_queue() -> None:
    """On a busy machine one user's p99 can pass 2 × D; nobody queued: no knee there."""
    noisy = point(1, 8.0, 2.3 * D_MS, 2)
    assert noisy["past_knee"] == []
    assert point(2, 16.0, 2.3 * D_MS, 2)["past_knee"] != []


def test_the_time_left_expects_a_limited_server_past_its_knee_after_two_points() -> None:
    assert expected_users((1, 5, 10, 50, 100), 2) == [1, 5, 10]
    assert expected_users((1, 5, 10, 50, 100), 64) == [1, 5, 10, 50, 100]
    assert expected_users((1, 5, 10), None) == [1, 5, 10]


def test_a_busy_machines_constant_overhead_is_no_knee_but_a_drop_from_it_is() -> None:
    """At D = 50 ms a busy machine's 13 ms per request keep every point at 0.79 of its bound,
    one user included: the curve follows the bound as far as its first point did, no knee.
    The knee is where it falls under 0.8 × that."""
    ratios = {1: 0.79, 5: 0.78, 10: 0.74, 50: 0.38, 100: 0.2}
    points: list[Any] = []
    for c, r in ratios.items():
        p = {"users": c, "status": "measured", "ratio": r, "p99_ms": 60.0}
        base = baseline([*points, p])
        p["following"] = following(p, base)
        p["past_knee"] = past_knee(p, 50, base)
        points.append(p)
    assert baseline(points) == 0.79
    assert [p["following"] for p in points] == [1.0, 0.987, 0.937, 0.481, 0.253]
    assert [bool(p["past_knee"]) for p in points] == [False, False, False, True, True]
    assert points[3]["past_knee"] == [
        "throughput 0.48 of the first point's share of its bound (< 0.80)"
    ]
    # Measured against the bound alone, every point would be past the knee.
    assert all(past_knee(p, 50) for p in points)


def test_the_baseline_is_one_at_most_and_one_without_a_measured_first_point() -> None:
    assert baseline([{"users": 1, "status": "measured", "ratio": 1.04}]) == 1.0
    assert baseline([{"users": 1, "status": "measured", "ratio": 0.0}]) == 1.0
    assert baseline([{"users": 1, "status": "skipped"}]) == 1.0
    assert baseline([]) == 1.0


def test_a_slow_tail_without_a_slower_median_is_noise_not_a_queue() -> None:
    """A busy machine's tail: p99 over 2 × D while the median stays where one user's was."""
    tail = {"users": 4, "status": "measured", "ratio": 0.7, "p50_ms": 61.0, "p99_ms": 150.0}
    assert past_knee(tail, 50, 0.7, p50_first=59.6) == []
    queue = {**tail, "p50_ms": 114.0, "p99_ms": 121.0}  # 4 users on 2 workers: 2 × D each
    assert past_knee(queue, 50, 0.7, p50_first=54.0) == ["p99 121 ms > 2 × 50 ms: requests queue"]
