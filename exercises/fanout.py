"""fanout: n upstream calls in parallel, on a thread pool or as tasks on the event loop.

Both answer in about one delay; the difference is what it costs: the sync view starts a
thread per call for each request, the async one a task per call on its one loop.
"""

from exercises.spec import Exercise, Load, Phase, Rule

N = 10  # parallel upstream calls per request
D_MS = 200  # the upstream's delay for each call
USERS = 2

EXERCISE = Exercise(
    name="fanout",
    question="n parallel upstream calls: a thread pool or asyncio.gather, what does each cost?",
    phases=(
        Phase(
            name="threads",
            pattern=f"sync view, {N} calls on a thread pool, gunicorn gthread (1×4)",
            blocking="a thread per call, started for each request",
            server="wsgi",
            settings={"wsgi_worker_class": "gthread", "web_workers": 1, "web_threads": 4},
            upstream={"jitter_ms": 0},
            load=Load(f"/fanout/sync?n={N}&delay_ms={D_MS}", users=USERS),
            expected="OK",
        ),
        Phase(
            name="tasks",
            pattern=f"async view, {N} tasks on the loop, uvicorn (1 worker)",
            blocking="nothing: one loop waits on every call",
            server="asgi",
            settings={"asgi_server": "uvicorn", "web_workers": 1},
            upstream={"jitter_ms": 0},
            load=Load(f"/fanout/async?n={N}&delay_ms={D_MS}", users=USERS),
            expected="Good",
        ),
    ),
    rules=(
        Rule(
            phase="threads",
            text="p50 ≤ 2.5 × D",
            measure="p50",
            op="<=",
            bound=2.5 * D_MS,
            why="the n calls wait side by side, each on a thread of its own",
        ),
        Rule(
            phase="threads",
            text="threads ≥ n",
            measure="threads",
            op=">=",
            bound=N,
            why="each request in flight starts a pool of n threads, beside the worker's own",
        ),
        Rule(
            phase="tasks",
            text="p50 ≤ 2.5 × D",
            measure="p50",
            op="<=",
            bound=2.5 * D_MS,
            why="the n calls wait side by side as tasks on one loop",
        ),
    ),
    explanation=(
        f"Both views make {N} calls at once, so both answer in about one delay. The cost "
        "differs, and the threads column shows it: the sync view starts a pool of n threads "
        f"for every request ({USERS} users in flight: up to {USERS} × {N} extra threads, each "
        "with its own stack, started and joined each time), while the async view adds n tasks "
        "to a loop that already runs, a few kilobytes each. At higher n or more users, threads "
        "run out (memory, the GIL's handovers) long before tasks do."
    ),
)
