"""sync-to-async: what `thread_sensitive` does to blocking calls wrapped in `sync_to_async`.

`/io/sync-to-async?n=5` makes five blocking upstream calls at once, each wrapped in
`sync_to_async`. With `thread_sensitive=True` (asgiref's default) they all go to the request's
one sync thread, so they run one after another; with `False` each gets a thread of the loop's
pool and they overlap.
"""

from exercises.spec import Exercise, Load, Phase, Rule

N = 5  # calls per request, below the thread pool's size (min(32, CPUs + 4) = 6 on 2 cores)
D_MS = 200  # the upstream's delay for each call
ONE_WORKER = {"asgi_server": "uvicorn", "web_workers": 1}


def path(thread_sensitive: int) -> str:
    return f"/io/sync-to-async?n={N}&delay_ms={D_MS}&thread_sensitive={thread_sensitive}"


EXERCISE = Exercise(
    name="sync-to-async",
    question="What does thread_sensitive do to blocking calls wrapped in sync_to_async?",
    phases=(
        Phase(
            name="thread-sensitive",
            pattern=f"{N} calls, sync_to_async(thread_sensitive=True), uvicorn",
            blocking="the request's one sync thread: the calls take turns",
            server="asgi",
            settings=ONE_WORKER,
            upstream={"jitter_ms": 0},
            load=Load(path(1), users=1),
            expected="Serial",
        ),
        Phase(
            name="thread-pool",
            pattern=f"{N} calls, sync_to_async(thread_sensitive=False), uvicorn",
            blocking="a pool thread per call: the calls overlap",
            server="asgi",
            settings=ONE_WORKER,
            upstream={"jitter_ms": 0},
            load=Load(path(0), users=1),
            expected="Parallel",
        ),
    ),
    rules=(
        Rule(
            phase="thread-sensitive",
            text="p50 ≥ 0.8 × n × D",
            measure="p50",
            op=">=",
            bound=0.8 * N * D_MS,
            why="every call runs on the request's one sync thread, one after another",
        ),
        Rule(
            phase="thread-pool",
            text="p50 ≤ 2 × D",
            measure="p50",
            op="<=",
            bound=2 * D_MS,
            why="each call has a pool thread of its own, so the n waits overlap",
        ),
    ),
    explanation=(
        "sync_to_async runs a sync function on a thread and awaits it. With "
        "thread_sensitive=True (the default, and what the async ORM uses) every call of one "
        "request goes to the same thread, so concurrent calls queue: n calls take n × D "
        f"({N} × {D_MS} ms). With thread_sensitive=False they go to the loop's thread pool and "
        f"overlap, taking about D while n fits in the pool. Safe code (no thread-bound state, "
        "such as a database connection) can opt out; anything touching Django's ORM cannot."
    ),
)
