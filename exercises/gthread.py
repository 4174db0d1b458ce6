"""gthread: a pool of T threads per worker against one event loop, below and above T users.

A gthread worker serves T requests at once, each on a thread that waits for the upstream. While
the users are fewer than its threads, it keeps up with the loop; once they are more, the rest
queue for a thread, and the throughput stops at T÷D, as a sync worker's stops at 1÷D.
"""

from exercises.spec import Exercise, Load, Phase, Rule

T = 8  # threads of the one gthread worker
D_MS = 200  # the upstream's delay for each request
D_S = D_MS / 1000
BELOW = T // 2  # users: fewer than the threads
ABOVE = 4 * T  # users: more than the threads
GTHREAD = {"wsgi_worker_class": "gthread", "web_workers": 1, "web_threads": T}
UVICORN = {"asgi_server": "uvicorn", "web_workers": 1}


def gthread(users: int, expected: str) -> Phase:
    return Phase(
        name=f"gthread-{users}",
        pattern=f"sync view, gunicorn gthread (1 worker, {T} threads), {users} users",
        blocking="a thread per request, for the whole wait",
        server="wsgi",
        settings=GTHREAD,
        upstream={"jitter_ms": 0},
        load=Load(f"/io/sync?delay_ms={D_MS}", users=users),
        expected=expected,
    )


def uvicorn(users: int) -> Phase:
    return Phase(
        name=f"async-{users}",
        pattern=f"async view, uvicorn (1 worker), {users} users",
        blocking="nothing: the loop serves others while it waits",
        server="asgi",
        settings=UVICORN,
        upstream={"jitter_ms": 0},
        load=Load(f"/io/async?delay_ms={D_MS}", users=users),
        expected="Good",
    )


def overlap(phase: str, users: int, factor: float, why: str) -> Rule:
    """throughput ≥ factor × C÷D: the users' waits overlap (Little's law with concurrency C)."""
    return Rule(
        phase=phase,
        text=f"throughput ≥ {factor:g} × C÷D",
        measure="throughput",
        op=">=",
        bound=factor * users / D_S,
        why=why,
    )


EXERCISE = Exercise(
    name="gthread",
    question="Does a thread pool close the gap?",
    phases=(gthread(BELOW, "Good"), uvicorn(BELOW), gthread(ABOVE, "Bad"), uvicorn(ABOVE)),
    rules=(
        overlap(f"gthread-{BELOW}", BELOW, 0.6, f"{BELOW} users, {T} threads: each has a thread"),
        overlap(f"async-{BELOW}", BELOW, 0.6, "every wait overlaps on the loop"),
        Rule(
            phase=f"gthread-{ABOVE}",
            text="throughput ≤ 1.3 × T÷D",
            measure="throughput",
            op="<=",
            bound=1.3 * T / D_S,
            why=f"only {T} requests are served at once: each thread finishes one per D",
        ),
        Rule(
            phase=f"gthread-{ABOVE}",
            text="p50 ≥ 2 × D",
            measure="p50",
            op=">=",
            bound=2 * D_MS,
            why=f"{ABOVE} users share {T} threads, so a request mostly waits its turn",
        ),
        overlap(f"async-{ABOVE}", ABOVE, 0.5, "the loop has no pool to run out of"),
    ),
    explanation=(
        "Little's law: throughput ≤ concurrency ÷ latency. A gthread worker's concurrency is "
        f"its T = {T} threads. With fewer users than threads, every user has one and the waits "
        f"overlap as they do on the loop (C÷D = {BELOW / D_S:g} req/s for both). With more, T "
        "requests are served at once and the rest queue for a thread: the throughput stops at "
        f"T÷D = {T / D_S:g} req/s and a request waits about C÷T × D = {ABOVE // T * D_MS} ms. "
        f"The loop has no pool to run out of: {ABOVE} users get close to C÷D = "
        f"{ABOVE / D_S:g} req/s. A thread pool closes the gap up to its size; past it, each "
        "more concurrent request costs a thread (its stack, its share of GIL handovers)."
    ),
)
