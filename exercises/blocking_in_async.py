"""blocking-in-async: a blocking HTTP client inside an async view.

The classic mistake: the view is `async def`, but its upstream call blocks. While it waits,
the event loop waits with it, so the worker serves one request at a time and every other
request of the process, even a bystander `/ping`, queues behind the blocked loop.
"""

from exercises.spec import Exercise, Load, Phase, Probe, Rule

C = 10  # closed-loop users
D_MS = 200  # the upstream's delay for each request
D_S = D_MS / 1000
ONE_WORKER = {"asgi_server": "uvicorn", "web_workers": 1}

EXERCISE = Exercise(
    name="blocking-in-async",
    question="What does a blocking client in an async view cost?",
    phases=(
        Phase(
            name="async-blocking",
            pattern="async view, blocking client, uvicorn (1 worker)",
            blocking="the event loop, for the whole upstream wait",
            server="asgi",
            settings=ONE_WORKER,
            upstream={"jitter_ms": 0},
            load=Load(f"/io/async-blocking?delay_ms={D_MS}", users=C),
            probe=Probe("/ping", rate=4),
            expected="Bad",
        ),
        Phase(
            name="async",
            pattern="async view, async client, uvicorn (1 worker)",
            blocking="nothing: the loop serves others while it waits",
            server="asgi",
            settings=ONE_WORKER,
            upstream={"jitter_ms": 0},
            load=Load(f"/io/async?delay_ms={D_MS}", users=C),
            probe=Probe("/ping", rate=4),
            expected="Good",
        ),
    ),
    rules=(
        Rule(
            phase="async-blocking",
            text="throughput ≤ 1.5 × 1÷D",
            measure="throughput",
            op="<=",
            bound=1.5 / D_S,
            why="the blocked loop serves one request at a time: one per D per worker",
        ),
        Rule(
            phase="async-blocking",
            text="bystander /ping p99 ≥ 0.5 × D",
            measure="probe_p99",
            op=">=",
            bound=0.5 * D_MS,
            why="/ping needs the loop too, and it is blocked for a whole D at a time",
        ),
        Rule(
            phase="async",
            text="throughput ≥ 0.5 × C÷D",
            measure="throughput",
            op=">=",
            bound=0.5 * C / D_S,
            why="the waits overlap on the loop: Little's law with concurrency C",
        ),
    ),
    explanation=(
        "An async view only helps if it gives the loop back while it waits. A blocking client "
        "(here httpx's sync client) holds the loop for the whole upstream delay, so a worker "
        f"finishes one request per D: 1÷D = {1 / D_S:g} req/s, however many users wait, and a "
        "bystander /ping waits for the request in progress. The same view with an async client "
        f"overlaps the {C} users' waits (C÷D = {C / D_S:g} req/s) and /ping is served between "
        "them. The blocking one is worse than a sync view: a sync view would at least run on a "
        "thread of its own."
    ),
)
